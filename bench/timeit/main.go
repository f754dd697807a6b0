// Command timeit runs a command and reports its wall time and peak
// resident set size, so bench/run.sh needs nothing beyond Go:
//
//	timeit -o stats.txt -- diet analyze oci:big.oci
//
// It appends one line, "SECONDS MAXRSS_BYTES", to the -o file (or to
// stderr), and exits with the command's status. The command's standard
// streams are the ones timeit was given. Peak RSS is the kernel's
// ru_maxrss of the child (getrusage RUSAGE_CHILDREN semantics), which
// counts the largest the child's resident memory ever was.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	out := flag.String("o", "", "append the result line to `file` instead of stderr")
	flag.Usage = func() {
		fmt.Fprintf(flag.CommandLine.Output(), "usage: timeit [-o file] -- command [arg...]\n\n")
		flag.PrintDefaults()
	}
	flag.Parse()
	if flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	cmd := exec.Command(flag.Arg(0), flag.Args()[1:]...)
	cmd.Stdin, cmd.Stdout, cmd.Stderr = os.Stdin, os.Stdout, os.Stderr
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	code := 0
	if exit, ok := errors.AsType[*exec.ExitError](err); ok {
		code = exit.ExitCode()
	} else if err != nil {
		fmt.Fprintln(os.Stderr, "timeit:", err)
		os.Exit(127)
	}
	var rss int64
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		rss = int64(ru.Maxrss) * 1024 // kilobytes on Linux
	}
	line := fmt.Sprintf("%.3f %d\n", wall.Seconds(), rss)
	if *out == "" {
		fmt.Fprint(os.Stderr, line)
	} else if err := appendFile(*out, line); err != nil {
		fmt.Fprintln(os.Stderr, "timeit:", err)
		os.Exit(127)
	}
	os.Exit(code)
}

// appendFile appends s to the file at name, creating it.
func appendFile(name, s string) error {
	f, err := os.OpenFile(name, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(s); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

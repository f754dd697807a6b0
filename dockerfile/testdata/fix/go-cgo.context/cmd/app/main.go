// Command app adds two numbers in C.
package main

/*
#cgo LDFLAGS: -lm
static int add(int a, int b) { return a + b; }
*/
import "C"

import "fmt"

func main() { fmt.Println(C.add(1, 2)) }

package report

import (
	"math"
	"strconv"
)

var (
	decimalUnits = []string{"B", "kB", "MB", "GB", "TB", "PB", "EB"}
	binaryUnits  = []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"}
)

// Decimal formats n bytes the way docker image ls does (docker/go-units
// HumanSizeWithPrecision with 3 significant digits): powers of 1000, so
// 14,178,323 B is "14.2 MB". Unlike docker, a value that rounds up to 1000
// moves to the next unit: 999,999 B is "1 MB", where docker prints
// "1e+03kB". Units are separated from the number by a space.
func Decimal(n int64) string {
	f, i := float64(n), 0
	for math.Abs(f) >= 1000 && i < len(decimalUnits)-1 {
		f /= 1000
		i++
	}
	s := strconv.FormatFloat(f, 'g', 3, 64)
	if r, _ := strconv.ParseFloat(s, 64); math.Abs(r) >= 1000 && i < len(decimalUnits)-1 {
		f /= 1000
		i++
		s = strconv.FormatFloat(f, 'g', 3, 64)
	}
	return s + " " + decimalUnits[i]
}

// Binary formats n bytes the way ls -h and du -h mean them: powers of
// 1024 with one decimal, so 8,598,323 B is "8.2 MiB". Below 1 KiB it gives
// whole bytes. (GNU ls rounds up where Binary rounds to nearest, so ls may
// show one tenth more.)
func Binary(n int64) string {
	if n > -1024 && n < 1024 {
		return strconv.FormatInt(n, 10) + " B"
	}
	f, i := float64(n), 0
	for math.Abs(f) >= 1024 && i < len(binaryUnits)-1 {
		f /= 1024
		i++
	}
	// Rounding can reach 1024.0 in the unit below: carry it.
	if math.Abs(math.Round(f*10)/10) >= 1024 && i < len(binaryUnits)-1 {
		f /= 1024
		i++
	}
	return strconv.FormatFloat(f, 'f', 1, 64) + " " + binaryUnits[i]
}

// Human gives both: "948 MB (904.4 MiB)". Below 1000 bytes, where the two
// agree, it gives the bytes alone.
func Human(n int64) string {
	if n > -1000 && n < 1000 {
		return strconv.FormatInt(n, 10) + " B"
	}
	return Decimal(n) + " (" + Binary(n) + ")"
}

// Exact formats n with thousands separators: 1,143,296.
func Exact(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := n < 0
	if neg {
		s = s[1:]
	}
	out := make([]byte, 0, len(s)+len(s)/3+1)
	if neg {
		out = append(out, '-')
	}
	for i := range len(s) {
		if i > 0 && (len(s)-i)%3 == 0 {
			out = append(out, ',')
		}
		out = append(out, s[i])
	}
	return string(out)
}

// percent formats a fraction as a percentage with one decimal: 0.4975 is
// "49.8%".
func percent(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return "-"
	}
	return strconv.FormatFloat(f*100, 'f', 1, 64) + "%"
}

// share is part/whole as a percentage, "-" when whole is zero.
func share(part, whole int64) string {
	if whole == 0 {
		return "-"
	}
	return percent(float64(part) / float64(whole))
}

// plural is n and the noun, with an s unless n is one: "1 path", "2 paths".
func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return Exact(int64(n)) + " " + noun + "s"
}

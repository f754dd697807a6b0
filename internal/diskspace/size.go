package diskspace

import (
	"fmt"
	"strconv"
	"strings"
)

// units are the suffixes ParseSize knows, lower-cased: decimal as disks are
// sold, binary as df -h shows.
var units = map[string]int64{
	"": 1, "b": 1,
	"k": 1e3, "kb": 1e3, "m": 1e6, "mb": 1e6, "g": 1e9, "gb": 1e9, "t": 1e12, "tb": 1e12,
	"kib": 1 << 10, "mib": 1 << 20, "gib": 1 << 30, "tib": 1 << 40,
}

// ParseSize parses a byte count such as "0", "500MB", "2GiB" or "1.5G"
// (case-insensitive; k, M, G, T are decimal, KiB, MiB, GiB, TiB binary).
func ParseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	i := strings.IndexFunc(t, func(r rune) bool { return (r < '0' || r > '9') && r != '.' })
	if i < 0 {
		i = len(t)
	}
	num, unit := t[:i], strings.TrimSpace(t[i:])
	mul, ok := units[unit]
	if !ok || num == "" {
		return 0, fmt.Errorf("size %q: want a number of bytes with an optional unit (MB, GB, MiB, GiB…)", s)
	}
	f, err := strconv.ParseFloat(num, 64)
	if err != nil || f < 0 || f*float64(mul) >= 1<<62 {
		return 0, fmt.Errorf("size %q: want a number of bytes with an optional unit (MB, GB, MiB, GiB…)", s)
	}
	return int64(f * float64(mul)), nil
}

package report

import "testing"

func TestUnits(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		n                     int64
		decimal, binary, both string
	}{
		{"zero", 0, "0 B", "0 B", "0 B"},
		{"bytes", 999, "999 B", "999 B", "999 B"},
		{"one kB", 1000, "1 kB", "1000 B", "1 kB (1000 B)"},
		{"one KiB", 1024, "1.02 kB", "1.0 KiB", "1.02 kB (1.0 KiB)"},
		// docker's %.3g prints 1e+03kB here; Decimal carries to the next unit.
		{"999_999 B", 999_999, "1 MB", "976.6 KiB", "1 MB (976.6 KiB)"},
		{"999_499 B", 999_499, "999 kB", "976.1 KiB", "999 kB (976.1 KiB)"},
		// The story's binary: ls -h says 8.2M, docker counts 8.6 MB.
		{"8.2 MiB", 8_598_323, "8.6 MB", "8.2 MiB", "8.6 MB (8.2 MiB)"},
		// alpine 5.58 MB + the 8.2 MiB binary = the 14.2 MB docker shows.
		{"5.58 MB + 8.2 MiB", 5_580_000 + 8_598_323, "14.2 MB", "13.5 MiB", "14.2 MB (13.5 MiB)"},
		{"alpine", 5_580_000, "5.58 MB", "5.3 MiB", "5.58 MB (5.3 MiB)"},
		{"v1.01", 948_232_576, "948 MB", "904.3 MiB", "948 MB (904.3 MiB)"},
		{"MiB carry", 1_048_575, "1.05 MB", "1.0 MiB", "1.05 MB (1.0 MiB)"},
		{"GiB carry", 1<<30 - 1, "1.07 GB", "1.0 GiB", "1.07 GB (1.0 GiB)"},
		{"1.4 GB", 1_400_000_000, "1.4 GB", "1.3 GiB", "1.4 GB (1.3 GiB)"},
		{"exa", 1 << 62, "4.61 EB", "4.0 EiB", "4.61 EB (4.0 EiB)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := Decimal(tc.n); got != tc.decimal {
				t.Errorf("Decimal(%d) = %q, want %q", tc.n, got, tc.decimal)
			}
			if got := Binary(tc.n); got != tc.binary {
				t.Errorf("Binary(%d) = %q, want %q", tc.n, got, tc.binary)
			}
			if got := Human(tc.n); got != tc.both {
				t.Errorf("Human(%d) = %q, want %q", tc.n, got, tc.both)
			}
		})
	}
}

func TestExact(t *testing.T) {
	for _, tc := range []struct {
		n    int64
		want string
	}{
		{0, "0"}, {999, "999"}, {1000, "1,000"}, {999_999, "999,999"},
		{1_143_296, "1,143,296"}, {-1_234_567, "-1,234,567"},
		{-9223372036854775808, "-9,223,372,036,854,775,808"},
	} {
		if got := Exact(tc.n); got != tc.want {
			t.Errorf("Exact(%d) = %q, want %q", tc.n, got, tc.want)
		}
	}
}

func TestPercent(t *testing.T) {
	for _, tc := range []struct {
		part, whole int64
		want        string
	}{{0, 0, "-"}, {1, 3, "33.3%"}, {828_099_372, 828_112_202, "100.0%"}, {1, 2000, "0.1%"}} {
		if got := share(tc.part, tc.whole); got != tc.want {
			t.Errorf("share(%d, %d) = %q, want %q", tc.part, tc.whole, got, tc.want)
		}
	}
}

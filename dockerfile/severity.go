package dockerfile

import "fmt"

// Severity ranks a finding, as hadolint does: error, warning, info, style.
// Higher is more severe, so a threshold is a comparison.
type Severity uint8

// The severities, least severe first.
const (
	SeverityStyle Severity = iota + 1
	SeverityInfo
	SeverityWarning
	SeverityError
)

var severityNames = [...]string{SeverityStyle: "style", SeverityInfo: "info", SeverityWarning: "warning", SeverityError: "error"}

// String returns "error", "warning", "info" or "style".
func (s Severity) String() string {
	if int(s) < len(severityNames) && severityNames[s] != "" {
		return severityNames[s]
	}
	return fmt.Sprintf("severity(%d)", s)
}

// ParseSeverity reads a severity name, as --fail-on and config files give it.
func ParseSeverity(name string) (Severity, error) {
	for s, n := range severityNames {
		if n != "" && n == name {
			return Severity(s), nil
		}
	}
	return 0, fmt.Errorf("unknown severity %q: want error, warning, info or style", name)
}

// MarshalText implements encoding.TextMarshaler.
func (s Severity) MarshalText() ([]byte, error) {
	if int(s) >= len(severityNames) || severityNames[s] == "" {
		return nil, fmt.Errorf("unknown severity %d", s)
	}
	return []byte(s.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler.
func (s *Severity) UnmarshalText(b []byte) error {
	v, err := ParseSeverity(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

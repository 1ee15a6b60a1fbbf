package portal

// Truncate returns s cut to at most n runes, always on a rune boundary, so
// a cut string is still valid UTF-8 when s was.
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	runes := 0
	for i := range s {
		if runes == n {
			return s[:i]
		}
		runes++
	}
	return s
}

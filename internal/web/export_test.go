package web

import "sort"

// UnlinkedErrorSummaryEntries lists the error-summary entries rendered so
// far whose field id was missing from the page, as "template#field".
func UnlinkedErrorSummaryEntries() []string {
	var out []string
	unlinkedSummaryEntries.Range(func(k, _ any) bool {
		out = append(out, k.(string))
		return true
	})
	sort.Strings(out)
	return out
}

// TemplatesNeverRendered lists the page templates no test has rendered yet.
func TemplatesNeverRendered() ([]string, error) {
	t, err := loadTemplates("")
	if err != nil {
		return nil, err
	}
	var out []string
	for _, n := range t.Names() {
		if _, ok := renderedTemplates.Load(n); !ok {
			out = append(out, n)
		}
	}
	return out, nil
}

// RoutePatterns lists every route the server registered.
func RoutePatterns(s *Server) []string { return append([]string(nil), s.patterns...) }

// MultiLineField reports whether a form field may hold line breaks.
func MultiLineField(name string) bool { return multiLineFields[name] }

package web

// reviewRoutes registers the annual access review pages.
func (s *Server) reviewRoutes(handle func(pattern string, h handler)) {}

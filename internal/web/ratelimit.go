package web

import (
	"net/http"
	"strconv"
	"time"

	portal "github.com/bcgov-example/careconnect-portal"
)

// rateLimit counts an attempt against key (per hour) and refuses past limit.
func (s *Server) rateLimit(r *http.Request, key string, limit int) error {
	ok, err := s.app.HitRateLimit(r.Context(), key, limit, time.Hour, s.app.Now())
	if err != nil {
		return err
	}
	if !ok {
		state(r).logger.Warn("rate limited", "bucket", key)
		return portal.Errorf(
			portal.ERATELIMIT,
			"You have tried this too many times. Please wait an hour and try again.",
		)
	}
	return nil
}

func accountKey(a *portal.Account) string {
	if a == nil {
		return "anonymous"
	}
	return strconv.FormatInt(int64(a.ID), 10)
}

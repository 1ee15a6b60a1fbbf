package web

import (
	"net/http"
	"sort"
	"strconv"

	portal "github.com/bcgov-example/careconnect-portal"
)

// notificationsPerPage is the Notification Centre's page size.
const notificationsPerPage = 10

// pager describes one page of a list: "Showing 1 to N of M entries".
// pagerWindow is how many page numbers the pager shows each side of the current one.
const pagerWindow = 3

type pager struct {
	Page, Pages, From, To, Total int
	Sort                         string // "asc" or "desc" by submit date
	PrevURL, NextURL             string
	Numbers                      []pageLink
}

type pageLink struct {
	N       int
	URL     string
	Current bool
}

func newPager(total, page, per int, sortDir string, url func(page int, sort string) string) pager {
	pages := (total + per - 1) / per
	if pages == 0 {
		pages = 1
	}
	if page < 1 {
		page = 1
	}
	if page > pages {
		page = pages
	}
	p := pager{Page: page, Pages: pages, Total: total, Sort: sortDir}
	if total > 0 {
		p.From = (page-1)*per + 1
		p.To = min(page*per, total)
	}
	if page > 1 {
		p.PrevURL = url(page-1, sortDir)
	}
	if page < pages {
		p.NextURL = url(page+1, sortDir)
	}
	// Page numbers around the current page: a long list (the audit trail)
	// shows a window of them, not thousands.
	first, last := max(1, page-pagerWindow), min(pages, page+pagerWindow)
	for i := first; i <= last; i++ {
		p.Numbers = append(p.Numbers, pageLink{N: i, URL: url(i, sortDir), Current: i == page})
	}
	return p
}

// notificationsPage is the Notification Centre.
type notificationsPage struct {
	Page
	Actions      []portal.ActionItem
	Pager        pager
	SortURL      string
	YourRequests []portal.YourRequest
}

func (s *Server) handleNotifications(w http.ResponseWriter, r *http.Request) error {
	acct := state(r).account
	items, mine, err := s.app.Notifications(r.Context(), acct)
	if err != nil {
		return err
	}
	sortDir := r.URL.Query().Get("sort")
	if sortDir != "asc" {
		sortDir = "desc"
	}
	if sortDir == "asc" {
		sort.SliceStable(items, func(i, j int) bool { return items[i].SubmittedAt.Before(items[j].SubmittedAt) })
	}
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	url := func(p int, sd string) string { return "/notifications?sort=" + sd + "&page=" + strconv.Itoa(p) }
	pg := newPager(len(items), page, notificationsPerPage, sortDir, url)
	shown := items
	if len(items) > 0 {
		shown = items[pg.From-1 : pg.To]
	}
	other := "asc"
	if sortDir == "asc" {
		other = "desc"
	}
	return s.render(w, r, http.StatusOK, "notifications.html", notificationsPage{Page: s.page(r, "Notification Centre"),
		Actions: shown, Pager: pg, SortURL: url(1, other), YourRequests: mine})
}

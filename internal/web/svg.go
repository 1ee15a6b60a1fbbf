package web

import (
	"bytes"
	"fmt"
	"html"
	"strings"

	"github.com/bcgov-example/careconnect-portal/internal/app"
)

// The enrolment funnel as a server-drawn SVG bar chart. The Content-Security-
// Policy forbids inline styles, so the drawing uses presentation attributes
// only (fill, font-size...), never CSS. The page shows it with <img alt>
// and gives the same numbers in a table.

const (
	funnelChartWidth = 720
	funnelLabelWidth = 250 // the step labels, right-aligned against the bars
	funnelBarMax     = 330 // the widest bar, for the largest count
	funnelRowHeight  = 44
	funnelBarHeight  = 28
	funnelPad        = 12
)

// funnelSize is the chart's width and height for n steps.
func funnelSize(n int) (w, h int) {
	return funnelChartWidth, 2*funnelPad + n*funnelRowHeight
}

// funnelDescription says in words what the chart shows.
func funnelDescription(stages []app.FunnelStage) string {
	parts := make([]string, 0, len(stages))
	for _, s := range stages {
		parts = append(parts, fmt.Sprintf("%s: %d (%.0f%%)", s.Label, s.N, s.Percent))
	}
	return "How many people reached each step on the way to CareConnect access. " + strings.Join(parts, "; ") + "."
}

// funnelSVG draws the funnel as horizontal bars, each with its step's
// label on the left and its count and share of accounts on the right.
func funnelSVG(stages []app.FunnelStage) []byte {
	w, h := funnelSize(len(stages))
	most := 0
	for _, s := range stages {
		most = max(most, s.N)
	}
	esc := html.EscapeString
	var b bytes.Buffer
	fmt.Fprintf(
		&b,
		`<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="funnel-title funnel-desc" font-family="'BC Sans', 'Noto Sans', Verdana, Arial, sans-serif">`+"\n",
		w,
		h,
		w,
		h,
	)
	fmt.Fprintf(&b, `<title id="funnel-title">Enrolment funnel</title>`+"\n")
	fmt.Fprintf(&b, `<desc id="funnel-desc">%s</desc>`+"\n", esc(funnelDescription(stages)))
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%d" height="%d" fill="#ffffff"/>`+"\n", w, h)
	for i, s := range stages {
		y := funnelPad + i*funnelRowHeight
		barY := y + (funnelRowHeight-funnelBarHeight)/2
		textY := y + funnelRowHeight/2 + 5
		bar := 0
		if most > 0 {
			bar = s.N * funnelBarMax / most
		}
		if s.N > 0 && bar < 2 {
			bar = 2
		}
		x := funnelLabelWidth + 10
		fmt.Fprintf(&b, `<g>`+"\n")
		fmt.Fprintf(
			&b,
			`<text x="%d" y="%d" text-anchor="end" font-size="14" fill="#313132">%s</text>`+"\n",
			funnelLabelWidth,
			textY,
			esc(s.Label),
		)
		fmt.Fprintf(
			&b,
			`<rect x="%d" y="%d" width="%d" height="%d" fill="#e6e6e6"/>`+"\n",
			x,
			barY,
			funnelBarMax,
			funnelBarHeight,
		)
		fmt.Fprintf(
			&b,
			`<rect x="%d" y="%d" width="%d" height="%d" fill="#003366"/>`+"\n",
			x,
			barY,
			bar,
			funnelBarHeight,
		)
		fmt.Fprintf(
			&b,
			`<text x="%d" y="%d" font-size="14" font-weight="bold" fill="#313132">%d (%.0f%%)</text>`+"\n",
			x+funnelBarMax+10,
			textY,
			s.N,
			s.Percent,
		)
		fmt.Fprintf(&b, `</g>`+"\n")
	}
	b.WriteString("</svg>\n")
	return b.Bytes()
}

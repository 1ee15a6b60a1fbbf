package e2e

import (
	"context"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// reflowWidth is the width, in CSS pixels, at which every page must read
// without scrolling sideways (WCAG 1.4.10 Reflow: 1280 px at 400 % zoom).
const reflowWidth = 320

// overflowScript reports whether the document is wider than the viewport,
// and names the widest elements that stick out, for the message.
const overflowScript = `(() => {
  const root = document.documentElement;
  if (root.scrollWidth <= root.clientWidth) { return ""; }
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.right > root.clientWidth + 1 && r.width > 0) {
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
        (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "") +
        " (" + Math.round(r.right) + "px)");
      if (out.length >= 5) { break; }
    }
  }
  return "scrollWidth " + root.scrollWidth + " > clientWidth " + root.clientWidth + ": " + out.join(", ");
})()`

// overflowAt320 narrows the tab to 320 CSS px, reports what sticks out when
// the page then scrolls sideways ("" when it does not), and puts the tab
// back to its width.
func overflowAt320(t *testing.T, ctx context.Context, page string) string {
	t.Helper()
	mustRun(t, ctx, chromedp.EmulateViewport(reflowWidth, 800))
	defer mustRun(t, ctx, chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		_, err := cdp.Call(ctx, tg, emulation.ClearDeviceMetricsOverride, cdp.Empty{})
		return err
	}),
		// Let the page lay itself out again before the test clicks on it.
		chromedp.Evaluate[chromedp.Void](`new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))`,
			chromedp.EvalAwaitPromise),
		chromedp.Evaluate[chromedp.Void](`window.scrollTo(0, 0)`))
	got, err := chromedp.Run(ctx, chromedp.Evaluate[string](overflowScript))
	if err != nil {
		t.Fatalf("reflow on %s: %v", page, err)
	}
	return got
}

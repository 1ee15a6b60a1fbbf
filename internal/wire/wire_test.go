package wire

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Development mode signs anyone in as anyone: it refuses to start where
// it could be reached from elsewhere, and says why.
func TestBuild_DevelopmentModeStaysOnThisMachine(t *testing.T) {
	for _, tc := range []struct {
		name, addr, baseURL, metrics, want string
	}{
		{"https base URL", "127.0.0.1:8080", "https://my.careconnect.example", "", "refuses the https base URL"},
		{"every interface", ":8080", "http://127.0.0.1:8080", "", `refuses the listen address ":8080"`},
		{"a public address", "192.0.2.10:8080", "http://192.0.2.10:8080", "", `refuses the listen address "192.0.2.10:8080"`},
		{"unspecified IPv6", "[::]:8080", "http://127.0.0.1:8080", "", `refuses the listen address "[::]:8080"`},
		{"metrics on every interface", "127.0.0.1:8080", "http://127.0.0.1:8080", "0.0.0.0:9090", "refuses the metrics address"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(
				context.Background(),
				Config{Dev: true, Addr: tc.addr, BaseURL: tc.baseURL, MetricsAddr: tc.metrics,
					DB: "sqlite:" + filepath.Join(
						t.TempDir(),
						"p.db",
					), Registerer: prometheus.NewRegistry()},
				slog.Default(),
			)
			if err == nil || !strings.Contains(err.Error(), tc.want) ||
				!strings.Contains(err.Error(), "development mode") {
				t.Fatalf("got %v, want an error containing %q", err, tc.want)
			}
		})
	}
	for _, addr := range []string{"127.0.0.1:0", "localhost:8080", "[::1]:8080"} {
		p, err := Build(context.Background(), Config{Dev: true, Addr: addr, BaseURL: "http://" + addr,
			DB: "sqlite:" + filepath.Join(t.TempDir(), "p.db"), Registerer: prometheus.NewRegistry()}, slog.Default())
		if err != nil {
			t.Fatalf("%s: %v", addr, err)
		}
		p.Close()
	}
}

// A job that panics is logged with its name and runs again at its next
// turn; the other jobs go on.
func TestRunJobs_PanicIsRecovered(t *testing.T) {
	var logs syncBuffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	runs, others := 0, 0
	jobs := []Job{
		{Name: "explodes", Every: time.Millisecond, Run: func(context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			runs++
			if runs <= 2 {
				panic("boom")
			}
			if others >= 2 { // the other job's first failure is logged by now
				cancel() // ran again after panicking twice, beside the other job: done
			}
			return nil
		}},
		{Name: "steady", Every: time.Millisecond, Run: func(context.Context) error {
			mu.Lock()
			defer mu.Unlock()
			others++
			if others == 1 {
				return errors.New("steady failure")
			}
			return nil
		}},
	}
	RunJobs(ctx, logger, jobs) // returns once cancel is called
	out := logs.String()
	if runs < 3 || others == 0 {
		t.Fatalf("explodes ran %d times, steady %d", runs, others)
	}
	if strings.Count(out, `msg="job panicked" job=explodes panic=boom`) != 2 || !strings.Contains(out, "goroutine") {
		t.Fatalf("log:\n%s", out)
	}
	if !strings.Contains(out, `msg="job failed" job=explodes err="job explodes panicked: boom"`) ||
		!strings.Contains(out, `msg="job failed" job=steady err="steady failure"`) {
		t.Fatalf("log:\n%s", out)
	}
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

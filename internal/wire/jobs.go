package wire

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"
)

// RunJobs runs each job every j.Every until ctx ends. A job that fails or
// panics is logged with its name and runs again at its next turn; it never
// stops the others or the server.
func RunJobs(ctx context.Context, logger *slog.Logger, jobs []Job) {
	var wg sync.WaitGroup
	for _, j := range jobs {
		wg.Add(1)
		go func(j Job) {
			defer wg.Done()
			t := time.NewTicker(j.Every)
			defer t.Stop()
			for {
				if err := runJob(ctx, logger, j); err != nil && ctx.Err() == nil {
					logger.Error("job failed", "job", j.Name, "err", err)
				}
				select {
				case <-ctx.Done():
					return
				case <-t.C:
				}
			}
		}(j)
	}
	wg.Wait()
}

// runJob runs a job once, turning a panic into an error after logging it
// with the job's name and the stack.
func runJob(ctx context.Context, logger *slog.Logger, j Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			logger.Error("job panicked", "job", j.Name, "panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			err = fmt.Errorf("job %s panicked: %v", j.Name, p)
		}
	}()
	return j.Run(ctx)
}

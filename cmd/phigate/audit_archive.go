package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/phigate/phigate"
	"github.com/phigate/phigate/audit"
)

// archive writes events from the store's base up to the newest checkpoint
// made before --before (default: now) as a segment, or with --prune removes
// an archived segment's events from the store once they are past the
// six-year retention.
func (c *AuditCommand) archive(ctx context.Context, env *auditEnv) error {
	if c.opts.prune != "" {
		seg, err := verifySegmentFile(c.opts.prune, env.keys, env.log.Origin)
		if err != nil {
			return err
		}
		retention := time.Duration(c.opts.retention) * 366 * 24 * time.Hour
		if err := audit.Prune(ctx, env.d.store, seg, retention, time.Now()); err != nil {
			return err
		}
		fmt.Fprintf(c.m.Stdout, "pruned events %d..%d (archived in %s)\n", seg.First, seg.Last, c.opts.prune)
		return nil
	}
	if c.opts.out == "" {
		return phigate.Errorf(phigate.EINVALID, "audit archive", "--out or --prune is required")
	}
	before, err := parseTime("before", c.opts.before)
	if err != nil {
		return err
	}
	if before.IsZero() {
		before = time.Now()
	}
	from, to, err := archiveRange(ctx, env.d.store, before)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(c.opts.out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return fmt.Errorf("archive: %w", err)
	}
	if err := audit.WriteSegment(ctx, env.d.store, env.log.Origin, f, from, to); err != nil {
		f.Close()
		os.Remove(c.opts.out)
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("archive: %w", err)
	}
	f.Close()
	fmt.Fprintf(c.m.Stdout, "archived events %d..%d to %s\n", from+1, to, c.opts.out)
	return nil
}

// archiveRange returns the segment (base, newest checkpoint made before
// before].
func archiveRange(ctx context.Context, s phigate.AuditStore, before time.Time) (int64, int64, error) {
	head, err := s.AuditHead(ctx)
	if err != nil {
		return 0, 0, err
	}
	cps, err := s.AuditCheckpoints(ctx, head.BaseSize)
	if err != nil {
		return 0, 0, err
	}
	to := int64(0)
	for _, cp := range cps {
		if cp.Time.Before(before) {
			to = cp.Size
		}
	}
	if to == 0 {
		return 0, 0, phigate.Errorf(phigate.ENOTFOUND, "audit archive", "no checkpoint after event %d made before that time", head.BaseSize)
	}
	return head.BaseSize, to, nil
}

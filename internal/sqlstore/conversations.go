package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/phigate/phigate"
)

// ConversationByID returns a conversation. Codes: ENOTFOUND.
func (s *Store) ConversationByID(ctx context.Context, id string) (*phigate.Conversation, error) {
	const op = "ConversationByID"
	var c phigate.Conversation
	var created, updated, expires int64
	err := s.queryRow(ctx, `SELECT id, owner, sealed, version, created_at, updated_at, expires_at
		FROM gateway_conversations WHERE id = ?`, id).
		Scan(&c.ID, &c.Owner, &c.Sealed, &c.Version, &created, &updated, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, s.errorf(phigate.ENOTFOUND, op, "conversation not found")
	}
	if err != nil {
		return nil, s.fail(op, err)
	}
	c.CreatedAt, c.UpdatedAt, c.ExpiresAt = TimeOf(created), TimeOf(updated), TimeOf(expires)
	return &c, nil
}

// PutConversation inserts c (Version 0) or replaces the stored version
// c.Version, then increments c.Version. Codes: ECONFLICT.
func (s *Store) PutConversation(ctx context.Context, c *phigate.Conversation) error {
	const op = "PutConversation"
	now := s.now().UTC()
	if c.Version == 0 {
		if c.CreatedAt.IsZero() {
			c.CreatedAt = now
		}
		c.UpdatedAt = now
		_, err := s.exec(ctx, `INSERT INTO gateway_conversations
			(id, owner, sealed, version, created_at, updated_at, expires_at) VALUES (?, ?, ?, 1, ?, ?, ?)`,
			c.ID, c.Owner, c.Sealed, UnixOf(c.CreatedAt), UnixOf(c.UpdatedAt), UnixOf(c.ExpiresAt))
		if s.d.IsUnique(err) {
			return s.errorf(phigate.ECONFLICT, op, "conversation created meanwhile")
		}
		if err != nil {
			return s.fail(op, err)
		}
		c.Version = 1
		return nil
	}
	res, err := s.exec(ctx, `UPDATE gateway_conversations SET sealed = ?, version = version + 1,
		updated_at = ?, expires_at = ? WHERE id = ? AND version = ?`,
		c.Sealed, UnixOf(now), UnixOf(c.ExpiresAt), c.ID, c.Version)
	if err != nil {
		return s.fail(op, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return s.errorf(phigate.ECONFLICT, op, "conversation changed or removed meanwhile")
	}
	c.Version++
	c.UpdatedAt = now
	return nil
}

// DeleteConversation removes a conversation.
func (s *Store) DeleteConversation(ctx context.Context, id string) error {
	if _, err := s.exec(ctx, `DELETE FROM gateway_conversations WHERE id = ?`, id); err != nil {
		return s.fail("DeleteConversation", err)
	}
	return nil
}

// ExpiredConversations returns up to limit ids that expired at or before t.
func (s *Store) ExpiredConversations(ctx context.Context, t time.Time, limit int) ([]string, error) {
	return list(ctx, s, "ExpiredConversations", s.scanString, `SELECT id FROM gateway_conversations
		WHERE expires_at <= ? ORDER BY expires_at LIMIT ?`, UnixOf(t), limit)
}

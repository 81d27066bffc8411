package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/phigate/phigate"
)

// ConversationByID returns a conversation. Codes: ENOTFOUND.
func (db *DB) ConversationByID(ctx context.Context, id string) (*phigate.Conversation, error) {
	const op = "sqlite.ConversationByID"
	var c phigate.Conversation
	var created, updated, expires int64
	err := db.db.QueryRowContext(ctx, `SELECT id, owner, sealed, version, created_at, updated_at, expires_at
		FROM gateway_conversations WHERE id = ?`, id).
		Scan(&c.ID, &c.Owner, &c.Sealed, &c.Version, &created, &updated, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, phigate.Errorf(phigate.ENOTFOUND, op, "conversation not found")
	}
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	c.CreatedAt, c.UpdatedAt, c.ExpiresAt = timeOf(created), timeOf(updated), timeOf(expires)
	return &c, nil
}

// PutConversation inserts c (Version 0) or replaces the stored version
// c.Version, then increments c.Version. Codes: ECONFLICT.
func (db *DB) PutConversation(ctx context.Context, c *phigate.Conversation) error {
	const op = "sqlite.PutConversation"
	now := db.Now().UTC()
	if c.Version == 0 {
		if c.CreatedAt.IsZero() {
			c.CreatedAt = now
		}
		c.UpdatedAt = now
		_, err := db.db.ExecContext(ctx, `INSERT INTO gateway_conversations
			(id, owner, sealed, version, created_at, updated_at, expires_at) VALUES (?, ?, ?, 1, ?, ?, ?)`,
			c.ID, c.Owner, c.Sealed, unixOf(c.CreatedAt), unixOf(c.UpdatedAt), unixOf(c.ExpiresAt))
		if isUnique(err) {
			return phigate.Errorf(phigate.ECONFLICT, op, "conversation created meanwhile")
		}
		if err != nil {
			return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
		}
		c.Version = 1
		return nil
	}
	res, err := db.db.ExecContext(ctx, `UPDATE gateway_conversations SET sealed = ?, version = version + 1,
		updated_at = ?, expires_at = ? WHERE id = ? AND version = ?`,
		c.Sealed, unixOf(now), unixOf(c.ExpiresAt), c.ID, c.Version)
	if err != nil {
		return phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return phigate.Errorf(phigate.ECONFLICT, op, "conversation changed or removed meanwhile")
	}
	c.Version++
	c.UpdatedAt = now
	return nil
}

// DeleteConversation removes a conversation.
func (db *DB) DeleteConversation(ctx context.Context, id string) error {
	if _, err := db.db.ExecContext(ctx, `DELETE FROM gateway_conversations WHERE id = ?`, id); err != nil {
		return phigate.E(phigate.EUNAVAILABLE, "sqlite.DeleteConversation", mapErr(err))
	}
	return nil
}

// ExpiredConversations returns up to limit ids that expired at or before t.
func (db *DB) ExpiredConversations(ctx context.Context, t time.Time, limit int) ([]string, error) {
	const op = "sqlite.ExpiredConversations"
	rows, err := db.db.QueryContext(ctx, `SELECT id FROM gateway_conversations WHERE expires_at <= ?
		ORDER BY expires_at LIMIT ?`, unixOf(t), limit)
	if err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, phigate.E(phigate.EUNAVAILABLE, op, mapErr(err))
		}
		ids = append(ids, id)
	}
	if err := rows.Err(); err != nil {
		return nil, phigate.E(phigate.EUNAVAILABLE, op, err)
	}
	return ids, nil
}

package phigate

import (
	"context"
	"time"
)

// Conversation is the stored state of one AI conversation: its map from
// placeholders and surrogates back to the values they stand for, sealed
// with the conversation's own data key (subject "conversation:<ID>"). ID is
// a keyed hash of the caller and the conversation's name, never the name a
// client chose.
type Conversation struct {
	ID string
	// Owner is the principal (user or API key id) the conversation belongs to.
	Owner string
	// Sealed is the sealed map. It holds PHI once opened: never log it.
	Sealed []byte
	// Version counts writes; PutConversation uses it to detect a
	// concurrent change.
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
	// ExpiresAt ends the conversation: past it the map is treated as gone
	// and is deleted with its data key.
	ExpiresAt time.Time
}

// ConversationStore persists conversations. It holds no rules: sealing and
// expiry live in the gateway package.
type ConversationStore interface {
	// ConversationByID returns a conversation. Codes: ENOTFOUND.
	ConversationByID(ctx context.Context, id string) (*Conversation, error)
	// PutConversation inserts c when c.Version is 0, or replaces it when
	// the stored version equals c.Version; on success c.Version is
	// incremented. Codes: ECONFLICT (created or changed meanwhile).
	PutConversation(ctx context.Context, c *Conversation) error
	// DeleteConversation removes a conversation; a missing one is no error.
	DeleteConversation(ctx context.Context, id string) error
	// ExpiredConversations returns up to limit ids whose ExpiresAt is at or
	// before t.
	ExpiredConversations(ctx context.Context, t time.Time, limit int) ([]string, error)
}

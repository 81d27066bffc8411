package gateway

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/phigate/phigate"
)

// DefaultConversationTTL is how long a conversation's map lives after its
// last change.
const DefaultConversationTTL = 24 * time.Hour

// DefaultConversationCache bounds the opened maps a node keeps.
const DefaultConversationCache = 10000

// ConversationHeader names a conversation explicitly; without it the
// conversation is derived from the start of the message history.
const ConversationHeader = "X-Phigate-Conversation"

// conversationDomain is the Hasher domain of conversation ids.
const conversationDomain = "gateway.conversation"

// Conversations keeps the sealed maps of conversations: each map is sealed
// with the conversation's own data key (subject "conversation:<id>") and
// expires TTL after its last use, when it is deleted and its key shredded.
type Conversations struct {
	Store  phigate.ConversationStore
	Sealer phigate.Sealer
	Hasher phigate.Hasher
	// TTL is the lifetime after the last change; zero means DefaultConversationTTL.
	TTL time.Duration
	// CacheSize bounds opened maps kept in memory; zero means
	// DefaultConversationCache, negative disables the cache.
	CacheSize int
	Now       func() time.Time
	Rand      io.Reader

	mu    sync.Mutex
	cache map[string]*openedMap
}

type openedMap struct {
	m       *Map
	version int64
	created time.Time
}

// conversation is one request's view of a conversation: a private copy of
// the map that the request may add to, saved at the end.
type conversation struct {
	id      string
	owner   string
	m       *Map
	version int64
	created time.Time
	// ephemeral conversations (embeddings) are never stored.
	ephemeral bool
}

// ID returns the id of the conversation named name by owner: a keyed
// hash, so the stored id reveals neither. Codes: EUNAVAILABLE (no hasher).
func (c *Conversations) ID(owner, name string) (string, error) {
	if c.Hasher == nil {
		return "", phigate.Errorf(phigate.EUNAVAILABLE, "gateway.Conversations.ID", "no hasher configured")
	}
	return c.Hasher.HMAC(conversationDomain, []byte(owner+"\x00"+name)), nil
}

// Load returns the conversation id of owner with a private copy of its
// map, or a new empty one if it does not exist or has expired. Codes:
// ECRYPTO (the sealed map cannot be opened), EUNAVAILABLE.
func (c *Conversations) Load(ctx context.Context, id, owner string) (*conversation, error) {
	const op = "gateway.Conversations.Load"
	row, err := c.Store.ConversationByID(ctx, id)
	if phigate.ErrorCode(err) == phigate.ENOTFOUND {
		return c.fresh(id, owner)
	}
	if err != nil {
		return nil, err
	}
	if row.Owner != owner {
		return nil, phigate.Errorf(phigate.EFORBIDDEN, op, "conversation of another caller")
	}
	if !c.now().Before(row.ExpiresAt) {
		if err := c.remove(ctx, row); err != nil {
			return nil, err
		}
		return c.fresh(id, owner)
	}
	if om := c.cached(id, row.Version); om != nil {
		return &conversation{id: id, owner: owner, m: om.m.clone(), version: row.Version, created: row.CreatedAt}, nil
	}
	if c.Sealer == nil {
		return nil, phigate.Errorf(phigate.ECRYPTO, op, "no sealer configured")
	}
	plain, err := c.Sealer.Open(ctx, conversationSubject(id, row.CreatedAt), conversationPlace(id), row.Sealed)
	if err != nil {
		return nil, phigate.E(phigate.ECRYPTO, op, err)
	}
	m, err := UnmarshalMap(plain)
	if err != nil {
		return nil, err
	}
	c.remember(id, &openedMap{m: m, version: row.Version, created: row.CreatedAt})
	return &conversation{id: id, owner: owner, m: m.clone(), version: row.Version, created: row.CreatedAt}, nil
}

// Ephemeral returns a conversation that is never stored (embeddings).
func (c *Conversations) Ephemeral() (*conversation, error) {
	key, err := c.newKey()
	if err != nil {
		return nil, err
	}
	return &conversation{m: NewMap(key), ephemeral: true}, nil
}

func (c *Conversations) fresh(id, owner string) (*conversation, error) {
	key, err := c.newKey()
	if err != nil {
		return nil, err
	}
	return &conversation{id: id, owner: owner, m: NewMap(key), created: c.now().UTC()}, nil
}

func (c *Conversations) newKey() ([]byte, error) {
	r := c.Rand
	if r == nil {
		r = rand.Reader
	}
	key := make([]byte, 32)
	if _, err := io.ReadFull(r, key); err != nil {
		return nil, phigate.E(phigate.EINTERNAL, "gateway.Conversations", fmt.Errorf("read randomness: %w", err))
	}
	return key, nil
}

// Save stores the conversation's map if the request added codes to it,
// merging with a concurrent request's additions. Codes: ECRYPTO,
// EUNAVAILABLE.
func (c *Conversations) Save(ctx context.Context, cv *conversation) error {
	if cv.ephemeral || cv.m.Added() == 0 {
		return nil
	}
	for range 5 {
		err := c.put(ctx, cv)
		if phigate.ErrorCode(err) != phigate.ECONFLICT {
			return err
		}
		other, err := c.Load(ctx, cv.id, cv.owner)
		if err != nil {
			return err
		}
		other.m.merge(cv.m)
		other.m.added = max(other.m.added, 1)
		cv = other
	}
	return phigate.Errorf(phigate.EUNAVAILABLE, "gateway.Conversations.Save", "conversation kept changing")
}

func (c *Conversations) put(ctx context.Context, cv *conversation) error {
	const op = "gateway.Conversations.Save"
	if c.Sealer == nil {
		return phigate.Errorf(phigate.ECRYPTO, op, "no sealer configured")
	}
	plain, err := cv.m.MarshalBinary()
	if err != nil {
		return phigate.E(phigate.EINTERNAL, op, err)
	}
	sealed, err := c.Sealer.Seal(ctx, conversationSubject(cv.id, cv.created), conversationPlace(cv.id), plain)
	if err != nil {
		return phigate.E(phigate.ECRYPTO, op, err)
	}
	now := c.now()
	row := &phigate.Conversation{ID: cv.id, Owner: cv.owner, Sealed: sealed, Version: cv.version,
		CreatedAt: cv.created, ExpiresAt: now.Add(c.ttl())}
	if err := c.Store.PutConversation(ctx, row); err != nil {
		return err
	}
	cv.version = row.Version
	c.remember(cv.id, &openedMap{m: cv.m.clone(), version: row.Version, created: row.CreatedAt})
	return nil
}

// Reap deletes up to limit expired conversations and shreds their keys.
func (c *Conversations) Reap(ctx context.Context, limit int) (int, error) {
	ids, err := c.Store.ExpiredConversations(ctx, c.now(), limit)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, id := range ids {
		row, err := c.Store.ConversationByID(ctx, id)
		if phigate.ErrorCode(err) == phigate.ENOTFOUND {
			continue
		}
		if err != nil {
			return n, err
		}
		if err := c.remove(ctx, row); err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// remove shreds a conversation's data key, then deletes it.
func (c *Conversations) remove(ctx context.Context, row *phigate.Conversation) error {
	if c.Sealer != nil {
		err := c.Sealer.Shred(ctx, conversationSubject(row.ID, row.CreatedAt))
		if err != nil && phigate.ErrorCode(err) != phigate.ENOTFOUND {
			return fmt.Errorf("shred conversation key: %w", err)
		}
	}
	c.forget(row.ID)
	return c.Store.DeleteConversation(ctx, row.ID)
}

// RunReaper reaps expired conversations every interval until ctx ends.
func (c *Conversations) RunReaper(ctx context.Context, interval time.Duration, logf func(err error)) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			for {
				n, err := c.Reap(ctx, 500)
				if err != nil && !errors.Is(err, context.Canceled) && logf != nil {
					logf(err)
				}
				if err != nil || n < 500 {
					break
				}
			}
		}
	}
}

func (c *Conversations) cached(id string, version int64) *openedMap {
	c.mu.Lock()
	defer c.mu.Unlock()
	if om := c.cache[id]; om != nil && om.version == version {
		return om
	}
	return nil
}

func (c *Conversations) remember(id string, om *openedMap) {
	size := c.CacheSize
	if size == 0 {
		size = DefaultConversationCache
	}
	if size < 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.cache == nil {
		c.cache = map[string]*openedMap{}
	}
	if len(c.cache) >= size {
		for k := range c.cache { // evict an arbitrary entry
			delete(c.cache, k)
			break
		}
	}
	c.cache[id] = om
}

func (c *Conversations) forget(id string) {
	c.mu.Lock()
	delete(c.cache, id)
	c.mu.Unlock()
}

func (c *Conversations) ttl() time.Duration {
	if c.TTL <= 0 {
		return DefaultConversationTTL
	}
	return c.TTL
}

func (c *Conversations) now() time.Time {
	if c.Now == nil {
		return time.Now()
	}
	return c.Now()
}

// conversationSubject is the sealing subject of a conversation: a new
// conversation under an expired one's id gets a new data key.
func conversationSubject(id string, created time.Time) string {
	return "conversation:" + id + ":" + strconv.FormatInt(created.UnixNano(), 36)
}

func conversationPlace(id string) phigate.Place {
	return phigate.Place{Table: "gateway_conversations", Row: id, Field: "map"}
}

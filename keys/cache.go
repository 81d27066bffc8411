package keys

import (
	"container/list"
	"crypto/cipher"
	"sync"
	"time"
)

// Defaults of the cache of unwrapped data keys.
const (
	// DefaultCacheSize is how many data keys stay unwrapped in memory.
	DefaultCacheSize = 10000
	// DefaultCacheTTL bounds how long an unwrapped data key is kept, and so
	// how long another node may still open a subject's data after a shred.
	DefaultCacheTTL = 5 * time.Minute
)

// cacheKey names a data key; id 0 names the subject's newest key.
type cacheKey struct {
	subject string
	id      uint32
}

// dataKey is an unwrapped data key, ready to seal and open.
type dataKey struct {
	id      uint32
	aead    cipher.AEAD
	expires time.Time
	key     cacheKey
}

// dekCache is a bounded LRU of unwrapped data keys with a time to live.
type dekCache struct {
	mu    sync.Mutex
	size  int
	ttl   time.Duration
	ll    *list.List // front is most recent
	items map[cacheKey]*list.Element
}

func newDEKCache(size int, ttl time.Duration) *dekCache {
	if size <= 0 {
		size = DefaultCacheSize
	}
	if ttl <= 0 {
		ttl = DefaultCacheTTL
	}
	return &dekCache{size: size, ttl: ttl, ll: list.New(), items: map[cacheKey]*list.Element{}}
}

// get returns a live entry.
func (c *dekCache) get(k cacheKey, now time.Time) *dataKey {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[k]
	if !ok {
		return nil
	}
	d := el.Value.(*dataKey)
	if now.After(d.expires) {
		c.ll.Remove(el)
		delete(c.items, k)
		return nil
	}
	c.ll.MoveToFront(el)
	return d
}

// put caches d under k, evicting the least recently used entry when full.
func (c *dekCache) put(k cacheKey, id uint32, aead cipher.AEAD, now time.Time) *dataKey {
	d := &dataKey{id: id, aead: aead, expires: now.Add(c.ttl), key: k}
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[k]; ok {
		el.Value = d
		c.ll.MoveToFront(el)
		return d
	}
	c.items[k] = c.ll.PushFront(d)
	for c.ll.Len() > c.size {
		old := c.ll.Back()
		c.ll.Remove(old)
		delete(c.items, old.Value.(*dataKey).key)
	}
	return d
}

// evict drops every cached key of subject.
func (c *dekCache) evict(subject string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, el := range c.items {
		if k.subject == subject {
			c.ll.Remove(el)
			delete(c.items, k)
		}
	}
}

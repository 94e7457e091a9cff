package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"statusthing/app/alert"
	"statusthing/app/incident"
	"statusthing/app/monitor"
	"statusthing/app/subscriber"
)

const subscriberColumns = `s.id, s.org_id, s.page_id, s.kind, s.address, s.secret, s.created_at, s.confirmed_at`

func scanSubscriber(row interface{ Scan(...any) error }) (subscriber.Subscriber, error) {
	var s subscriber.Subscriber
	var created int64
	var confirmed sql.NullInt64
	if err := row.Scan(&s.ID, &s.OrgID, &s.PageID, &s.Kind, &s.Address, &s.Secret, &created, &confirmed); err != nil {
		return s, err
	}
	s.CreatedAt, s.ConfirmedAt = fromMillis(created), fromNullMillis(confirmed)
	return s, nil
}

// changeTag tells apart the notices of successive saves of one thing (idempotency keys).
func changeTag() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// SubscribersQueued is signalled (without blocking; one pending signal at most) after a
// write that may have queued subscriber notices: their dispatcher waits on it besides
// polling.
func (s *Store) SubscribersQueued() <-chan struct{} { return s.subscriberWake }

func (s *Store) wakeSubscribers() {
	select {
	case s.subscriberWake <- struct{}{}:
	default:
	}
}

// Subscribe records a visitor's e-mail subscription to page pageID of orgID (sub.Kind is
// email) and queues its confirmation request, unless the address is already confirmed
// (nothing happens: the visitor is told the same, so the form does not tell who
// subscribed) or had a request less than subscriber.ResendAfter ago. queued tells whether
// a confirmation mail was queued. Pending subscriptions older than
// subscriber.PendingLifetime are dropped on the way. Refusals are *subscriber.Error.
func (s *Store) Subscribe(ctx context.Context, sub subscriber.Subscriber, now time.Time) (queued bool, err error) {
	sub.Kind, sub.Secret = subscriber.KindEmail, ""
	sub, err = subscriber.Normalize(sub)
	if err != nil {
		return false, fmt.Errorf("store: subscribe: %w", err)
	}
	err = s.Write(ctx, func(tx *sql.Tx) error {
		queued = false
		if _, err := tx.ExecContext(ctx, `DELETE FROM subscribers WHERE kind = 'email' AND confirmed_at IS NULL AND created_at < ?`,
			millis(now.Add(-subscriber.PendingLifetime))); err != nil {
			return err
		}
		var id int64
		var confirmed sql.NullInt64
		err := tx.QueryRowContext(ctx, `SELECT id, confirmed_at FROM subscribers WHERE page_id = ? AND kind = 'email' AND address = ?`,
			sub.PageID, sub.Address).Scan(&id, &confirmed)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if err := tx.QueryRowContext(ctx, `INSERT INTO subscribers (org_id, page_id, kind, address, created_at)
				SELECT org_id, id, 'email', ?, ? FROM status_pages WHERE id = ? AND org_id = ? RETURNING id`,
				sub.Address, millis(now), sub.PageID, sub.OrgID).Scan(&id); errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			} else if err != nil {
				return err
			}
		case err != nil:
			return err
		case confirmed.Valid:
			return nil
		default:
			var last sql.NullInt64
			if err := tx.QueryRowContext(ctx, `SELECT max(created_at) FROM subscriber_outbox WHERE subscriber_id = ? AND kind = ?`,
				id, string(subscriber.EventConfirm)).Scan(&last); err != nil {
				return err
			}
			if last.Valid && now.Sub(fromMillis(last.Int64)) < subscriber.ResendAfter {
				return nil
			}
		}
		queued = true
		return enqueueConfirm(ctx, tx, id, now)
	})
	if errors.Is(err, ErrNotFound) {
		return false, ErrNotFound
	}
	if err != nil {
		return false, fmt.Errorf("store: subscribe: %w", err)
	}
	if queued {
		s.wakeSubscribers()
	}
	return queued, nil
}

// AddSubscriber adds a subscriber to page sub.PageID of sub.OrgID by the page's team (admin
// or API): a webhook subscriber is confirmed at once; an e-mail subscriber too when
// confirmed is set (an import: whoever adds it vouches for the consent), else it gets a
// confirmation request as if it had subscribed itself. Refusals are *subscriber.Error
// (wrapped), also for an address the page already has; ErrNotFound for no such page.
func (s *Store) AddSubscriber(ctx context.Context, sub subscriber.Subscriber, confirmed bool, now time.Time) (subscriber.Subscriber, error) {
	sub, err := subscriber.Normalize(sub)
	if err != nil {
		return subscriber.Subscriber{}, fmt.Errorf("store: add subscriber: %w", err)
	}
	if sub.Kind == subscriber.KindWebhook {
		confirmed = true
	}
	var confirmedAt any
	if confirmed {
		confirmedAt = millis(now)
	}
	err = s.Write(ctx, func(tx *sql.Tx) error {
		var exists int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM subscribers WHERE page_id = ? AND kind = ? AND address = ?`,
			sub.PageID, string(sub.Kind), sub.Address).Scan(&exists); err != nil {
			return err
		}
		if exists > 0 {
			return &subscriber.Error{Fields: []monitor.FieldError{{Field: "address", Message: "already subscribed to this page"}}}
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO subscribers (org_id, page_id, kind, address, secret, created_at, confirmed_at)
			SELECT org_id, id, ?, ?, ?, ?, ? FROM status_pages WHERE id = ? AND org_id = ? RETURNING id`,
			string(sub.Kind), sub.Address, sub.Secret, millis(now), confirmedAt, sub.PageID, sub.OrgID).Scan(&sub.ID); errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		} else if err != nil {
			return err
		}
		if !confirmed {
			return enqueueConfirm(ctx, tx, sub.ID, now)
		}
		return nil
	})
	if errors.Is(err, ErrNotFound) {
		return subscriber.Subscriber{}, ErrNotFound
	}
	if err != nil {
		return subscriber.Subscriber{}, fmt.Errorf("store: add subscriber: %w", err)
	}
	s.wakeSubscribers()
	return s.Subscriber(ctx, sub.OrgID, sub.PageID, sub.ID)
}

// enqueueConfirm queues the confirmation request of pending e-mail subscriber id.
func enqueueConfirm(ctx context.Context, tx *sql.Tx, id int64, now time.Time) error {
	n := subscriber.Notice{Event: subscriber.EventConfirm, Time: now, Components: []string{}}
	var orgID int64
	if err := tx.QueryRowContext(ctx, `SELECT p.org_id, p.id, p.slug, p.title, p.locale FROM subscribers s
		JOIN status_pages p ON p.id = s.page_id WHERE s.id = ?`, id).Scan(
		&orgID, &n.Page.ID, &n.Page.Slug, &n.Page.Title, &n.Page.Locale); err != nil {
		return fmt.Errorf("confirmation: %w", err)
	}
	return insertNotice(ctx, tx, orgID, id, n, subscriber.ConfirmKey(id, changeTag()))
}

// insertNotice writes one queued notice for subscriber sid, due at once.
func insertNotice(ctx context.Context, tx *sql.Tx, orgID, sid int64, n subscriber.Notice, key string) error {
	n.Time = fromMillis(millis(n.Time))
	n.IdempotencyKey = key
	payload, err := json.Marshal(n)
	if err != nil {
		return fmt.Errorf("notice payload: %w", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO subscriber_outbox (org_id, subscriber_id, event, kind, idempotency_key, created_at, next_attempt_at)
		VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (idempotency_key) DO NOTHING`,
		orgID, sid, string(payload), string(n.Event), key, millis(n.Time), millis(n.Time))
	if err != nil {
		return fmt.Errorf("enqueue notice: %w", err)
	}
	return nil
}

// noticePage is a page to notify and the names of its components concerned.
type noticePage struct {
	page       subscriber.Page
	orgID      int64
	components []string
}

// pagesWhere lists the pages with components matching cond (on page_components c, with
// args), each with those components' names in page order.
func pagesWhere(ctx context.Context, tx *sql.Tx, cond string, args ...any) ([]noticePage, error) {
	rows, err := tx.QueryContext(ctx, `SELECT p.id, p.org_id, p.slug, p.title, p.locale, c.name FROM page_components c
		JOIN status_pages p ON p.id = c.page_id WHERE `+cond+` ORDER BY p.id, c.position, c.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []noticePage
	for rows.Next() {
		var p subscriber.Page
		var org int64
		var name string
		if err := rows.Scan(&p.ID, &org, &p.Slug, &p.Title, &p.Locale, &name); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].page.ID != p.ID {
			out = append(out, noticePage{page: p, orgID: org})
		}
		last := &out[len(out)-1]
		last.components = append(last.components, name)
	}
	return out, rows.Err()
}

// notifyPages queues notice n (its Page and Components set per page) for the confirmed
// subscribers of each page: e-mail subscribers only while the page is public.
func notifyPages(ctx context.Context, tx *sql.Tx, pages []noticePage, n subscriber.Notice, key func(sid int64) string) error {
	for _, p := range pages {
		rows, err := tx.QueryContext(ctx, `SELECT s.id FROM subscribers s JOIN status_pages p ON p.id = s.page_id
			WHERE s.page_id = ? AND s.confirmed_at IS NOT NULL AND (s.kind = 'webhook' OR p.public = 1) ORDER BY s.id`, p.page.ID)
		if err != nil {
			return fmt.Errorf("page subscribers: %w", err)
		}
		var ids []int64
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return fmt.Errorf("page subscribers: %w", err)
			}
			ids = append(ids, id)
		}
		if err := errors.Join(rows.Err(), rows.Close()); err != nil {
			return fmt.Errorf("page subscribers: %w", err)
		}
		n.Page, n.Components = p.page, p.components
		for _, sid := range ids {
			if err := insertNotice(ctx, tx, p.orgID, sid, n, key(sid)); err != nil {
				return err
			}
		}
	}
	return nil
}

// notifyUpdate queues, in tx, the notices of public incident update updateID for the
// subscribers of the pages that show its incident.
func notifyUpdate(ctx context.Context, tx *sql.Tx, updateID int64) error {
	var in subscriber.Incident
	var at, opened int64
	var resolved sql.NullInt64
	err := tx.QueryRowContext(ctx, `SELECT i.id, i.title, i.impact, u.status, u.message, u.at, i.opened_at, i.resolved_at
		FROM incident_updates u JOIN incidents i ON i.id = u.incident_id WHERE u.id = ?`, updateID).Scan(
		&in.ID, &in.Title, &in.Impact, &in.Status, &in.Message, &at, &opened, &resolved)
	if err != nil {
		return fmt.Errorf("update notice: %w", err)
	}
	in.At, in.OpenedAt, in.ResolvedAt = fromMillis(at), fromMillis(opened), fromNullMillis(resolved)
	if in.Status == string(incident.UpdateResolved) && in.ResolvedAt.IsZero() {
		in.ResolvedAt = in.At // resolveByHand sets it after the update
	}
	pages, err := pagesWhere(ctx, tx, `c.id IN (SELECT component_id FROM incident_components WHERE incident_id = ?)`, in.ID)
	if err != nil {
		return fmt.Errorf("update notice pages: %w", err)
	}
	n := subscriber.Notice{Event: subscriber.EventIncident, Incident: &in, Time: in.At}
	return notifyPages(ctx, tx, pages, n, func(sid int64) string { return subscriber.UpdateKey(updateID, sid) })
}

// notifyMaintenance queues, in tx, the notices of maintenance window m (saved at now; new
// unless changed) for the subscribers of the pages with components bound to monitors it
// covers. A window that is over tells no one.
func notifyMaintenance(ctx context.Context, tx *sql.Tx, m incident.Maintenance, changed bool, now time.Time) error {
	mn := subscriber.Maintenance{ID: m.ID, Title: m.Title, Recurring: m.Recurring(), Changed: changed}
	if start, end, ok := m.Window(now); ok {
		mn.StartsAt, mn.EndsAt = start, end
	} else if start, end, ok := m.NextWindow(now); ok {
		mn.StartsAt, mn.EndsAt = start, end
	} else {
		return nil
	}
	cond, args := `c.monitor_id IS NOT NULL AND p.org_id = ?`, []any{m.OrgID}
	if len(m.MonitorIDs) > 0 {
		cond += ` AND c.monitor_id IN (` + inList(m.MonitorIDs) + `)`
	}
	pages, err := pagesWhere(ctx, tx, cond, args...)
	if err != nil {
		return fmt.Errorf("maintenance notice pages: %w", err)
	}
	n := subscriber.Notice{Event: subscriber.EventMaintenance, Maintenance: &mn, Time: now}
	tag := changeTag()
	return notifyPages(ctx, tx, pages, n, func(sid int64) string { return subscriber.MaintenanceKey(m.ID, tag, sid) })
}

// Subscribers lists the subscribers of page pageID of orgID by id, after afterID, at most
// limit (<= 0 means 100).
func (s *Store) Subscribers(ctx context.Context, orgID, pageID, afterID int64, limit int) ([]subscriber.Subscriber, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers s
		WHERE s.org_id = ? AND s.page_id = ? AND s.id > ? ORDER BY s.id LIMIT ?`, orgID, pageID, afterID, pageLimit(limit))
	if err != nil {
		return nil, fmt.Errorf("store: subscribers: %w", err)
	}
	defer rows.Close()
	out := []subscriber.Subscriber{}
	for rows.Next() {
		sub, err := scanSubscriber(rows)
		if err != nil {
			return nil, fmt.Errorf("store: subscribers: %w", err)
		}
		out = append(out, sub)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: subscribers: %w", err)
	}
	return out, nil
}

// Subscriber returns subscriber id of page pageID of orgID.
func (s *Store) Subscriber(ctx context.Context, orgID, pageID, id int64) (subscriber.Subscriber, error) {
	sub, err := scanSubscriber(s.read.QueryRowContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers s
		WHERE s.id = ? AND s.page_id = ? AND s.org_id = ?`, id, pageID, orgID))
	if err != nil {
		return sub, notFoundOr(err, "subscriber")
	}
	return sub, nil
}

// DeleteSubscriber removes subscriber id of page pageID of orgID, with its tokens and its
// undelivered notices.
func (s *Store) DeleteSubscriber(ctx context.Context, orgID, pageID, id int64) error {
	return s.updateOne(ctx, "delete subscriber", `DELETE FROM subscribers WHERE id = ? AND page_id = ? AND org_id = ?`, id, pageID, orgID)
}

// SubscriberCounts counts the subscribers of each page of orgID, by page id (pages without
// any are left out).
func (s *Store) SubscriberCounts(ctx context.Context, orgID int64) (map[int64]subscriber.Counts, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT page_id,
		count(*) FILTER (WHERE kind = 'email' AND confirmed_at IS NOT NULL),
		count(*) FILTER (WHERE kind = 'email' AND confirmed_at IS NULL),
		count(*) FILTER (WHERE kind = 'webhook')
		FROM subscribers WHERE org_id = ? GROUP BY page_id`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: subscriber counts: %w", err)
	}
	defer rows.Close()
	out := map[int64]subscriber.Counts{}
	for rows.Next() {
		var id int64
		var c subscriber.Counts
		if err := rows.Scan(&id, &c.EmailConfirmed, &c.EmailPending, &c.Webhooks); err != nil {
			return nil, fmt.Errorf("store: subscriber counts: %w", err)
		}
		out[id] = c
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: subscriber counts: %w", err)
	}
	return out, nil
}

// IssueSubscriberToken stores the hash of a new link token of subscriber id (one per mail).
func (s *Store) IssueSubscriberToken(ctx context.Context, id int64, hash string, now time.Time) error {
	return s.exec(ctx, "issue subscriber token", `INSERT INTO subscriber_tokens (token_hash, subscriber_id, created_at)
		VALUES (?, ?, ?)`, hash, id, millis(now))
}

// ConfirmSubscriber confirms the subscriber of page pageID holding the token whose hash is
// hash (confirming twice changes nothing) and returns it; ErrNotFound for no such token.
func (s *Store) ConfirmSubscriber(ctx context.Context, pageID int64, hash string, now time.Time) (subscriber.Subscriber, error) {
	var id, orgID int64
	err := s.Write(ctx, func(tx *sql.Tx) error {
		err := tx.QueryRowContext(ctx, `UPDATE subscribers SET confirmed_at = ifnull(confirmed_at, ?)
			WHERE page_id = ? AND id = (SELECT subscriber_id FROM subscriber_tokens WHERE token_hash = ?) RETURNING id, org_id`,
			millis(now), pageID, hash).Scan(&id, &orgID)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		return err
	})
	if errors.Is(err, ErrNotFound) {
		return subscriber.Subscriber{}, ErrNotFound
	}
	if err != nil {
		return subscriber.Subscriber{}, fmt.Errorf("store: confirm subscriber: %w", err)
	}
	return s.Subscriber(ctx, orgID, pageID, id)
}

// Unsubscribe removes the subscriber of page pageID holding the token whose hash is hash,
// with its tokens and undelivered notices; ErrNotFound for no such token (already gone).
func (s *Store) Unsubscribe(ctx context.Context, pageID int64, hash string) error {
	return s.updateOne(ctx, "unsubscribe", `DELETE FROM subscribers
		WHERE page_id = ? AND id = (SELECT subscriber_id FROM subscriber_tokens WHERE token_hash = ?)`, pageID, hash)
}

// SubscriberByToken returns the subscriber of page pageID holding the token whose hash is
// hash; ErrNotFound for none.
func (s *Store) SubscriberByToken(ctx context.Context, pageID int64, hash string) (subscriber.Subscriber, error) {
	sub, err := scanSubscriber(s.read.QueryRowContext(ctx, `SELECT `+subscriberColumns+` FROM subscribers s
		JOIN subscriber_tokens t ON t.subscriber_id = s.id WHERE t.token_hash = ? AND s.page_id = ?`, hash, pageID))
	if err != nil {
		return sub, notFoundOr(err, "subscriber by token")
	}
	return sub, nil
}

// DueSubscriberNotices returns the undelivered, not given up notices due at now, oldest
// due first: at most perSubscriber per subscriber (in order) and limit in all.
func (s *Store) DueSubscriberNotices(ctx context.Context, now time.Time, perSubscriber, limit int) ([]subscriber.Delivery, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT o.id, o.org_id, o.event, o.idempotency_key, o.created_at, o.next_attempt_at,
		o.attempts, o.last_error, `+subscriberColumns+` FROM (
			SELECT *, row_number() OVER (PARTITION BY subscriber_id ORDER BY next_attempt_at, id) AS rn FROM subscriber_outbox
			WHERE delivered_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?
		) o JOIN subscribers s ON s.id = o.subscriber_id
		WHERE o.rn <= ? ORDER BY o.next_attempt_at, o.id LIMIT ?`, millis(now), max(perSubscriber, 1), max(limit, 1))
	if err != nil {
		return nil, fmt.Errorf("store: due subscriber notices: %w", err)
	}
	defer rows.Close()
	out := []subscriber.Delivery{}
	for rows.Next() {
		var d subscriber.Delivery
		var event, key string
		var created, next, subCreated int64
		var confirmed sql.NullInt64
		sub := &d.Subscriber
		if err := rows.Scan(&d.ID, &d.OrgID, &event, &key, &created, &next, &d.Attempts, &d.LastError,
			&sub.ID, &sub.OrgID, &sub.PageID, &sub.Kind, &sub.Address, &sub.Secret, &subCreated, &confirmed); err != nil {
			return nil, fmt.Errorf("store: due subscriber notices: %w", err)
		}
		if err := json.Unmarshal([]byte(event), &d.Notice); err != nil {
			return nil, fmt.Errorf("store: due subscriber notices: notice %d: %w", d.ID, err)
		}
		d.Notice.IdempotencyKey = key
		d.CreatedAt, d.NextAttemptAt = fromMillis(created), fromMillis(next)
		sub.CreatedAt, sub.ConfirmedAt = fromMillis(subCreated), fromNullMillis(confirmed)
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: due subscriber notices: %w", err)
	}
	return out, nil
}

// RecordSubscriberAttempt records attempt a at delivering the pending notice id:
// delivered when a.OK; else tried again at next, or given up when next is zero.
// ErrNotFound when the notice is gone (its subscriber left) or no longer pending.
func (s *Store) RecordSubscriberAttempt(ctx context.Context, id int64, a alert.Attempt, next time.Time) error {
	delivered, failed, nextAt := attemptOutcome(a, next)
	return s.updateOne(ctx, "record subscriber attempt", `UPDATE subscriber_outbox SET attempts = attempts + 1, last_error = ?,
		delivered_at = ?, failed_at = ?, next_attempt_at = ? WHERE id = ? AND delivered_at IS NULL AND failed_at IS NULL`,
		a.Error, delivered, failed, nextAt, id)
}

// SubscriberNoticeCounts counts the pending, failed (given up) and delivered subscriber
// notices across every organization.
func (s *Store) SubscriberNoticeCounts(ctx context.Context) (pending, failed, delivered int64, err error) {
	err = s.read.QueryRowContext(ctx, `SELECT
		count(*) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL),
		count(*) FILTER (WHERE failed_at IS NOT NULL),
		count(*) FILTER (WHERE delivered_at IS NOT NULL) FROM subscriber_outbox`).Scan(&pending, &failed, &delivered)
	if err != nil {
		err = fmt.Errorf("store: count subscriber notices: %w", err)
	}
	return pending, failed, delivered, err
}

// FailedSubscriberNotices lists the notices of page pageID of orgID that were given up,
// newest first (at most 100), with the subscriber they were for.
func (s *Store) FailedSubscriberNotices(ctx context.Context, orgID, pageID int64) ([]subscriber.FailedNotice, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT o.id, o.kind, o.attempts, o.last_error, o.failed_at, sb.kind, sb.address
		FROM subscriber_outbox o JOIN subscribers sb ON sb.id = o.subscriber_id
		WHERE o.org_id = ? AND sb.page_id = ? AND o.failed_at IS NOT NULL ORDER BY o.failed_at DESC, o.id DESC LIMIT 100`, orgID, pageID)
	if err != nil {
		return nil, fmt.Errorf("store: failed subscriber notices: %w", err)
	}
	defer rows.Close()
	out := []subscriber.FailedNotice{}
	for rows.Next() {
		var n subscriber.FailedNotice
		var failed int64
		if err := rows.Scan(&n.ID, &n.Event, &n.Attempts, &n.LastError, &failed, &n.Kind, &n.Address); err != nil {
			return nil, fmt.Errorf("store: failed subscriber notices: %w", err)
		}
		n.FailedAt = fromMillis(failed)
		out = append(out, n)
	}
	return out, rows.Err()
}

// RetrySubscriberNotice puts a given-up notice of orgID back in the queue, due now.
func (s *Store) RetrySubscriberNotice(ctx context.Context, orgID, id int64, now time.Time) error {
	err := s.updateOne(ctx, "retry subscriber notice", `UPDATE subscriber_outbox SET failed_at = NULL, attempts = 0, next_attempt_at = ?
		WHERE id = ? AND org_id = ? AND failed_at IS NOT NULL`, millis(now), id, orgID)
	if err == nil {
		s.wakeSubscribers()
	}
	return err
}

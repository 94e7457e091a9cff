package monitoring

import (
	"context"
	"errors"
	"time"

	"statusthing/app/statuspage"
	"statusthing/app/subscriber"
)

// SubscriberStore is the persistence of status page subscribers; *store.Store satisfies
// it. Notices are queued by the store itself, in the transaction of what causes them.
type SubscriberStore interface {
	Subscribe(ctx context.Context, sub subscriber.Subscriber, now time.Time) (bool, error)
	AddSubscriber(ctx context.Context, sub subscriber.Subscriber, confirmed bool, now time.Time) (subscriber.Subscriber, error)
	Subscribers(ctx context.Context, orgID, pageID, afterID int64, limit int) ([]subscriber.Subscriber, error)
	Subscriber(ctx context.Context, orgID, pageID, id int64) (subscriber.Subscriber, error)
	DeleteSubscriber(ctx context.Context, orgID, pageID, id int64) error
	FailedSubscriberNotices(ctx context.Context, orgID, pageID int64) ([]subscriber.FailedNotice, error)
	RetrySubscriberNotice(ctx context.Context, orgID, id int64, now time.Time) error
	SubscriberCounts(ctx context.Context, orgID int64) (map[int64]subscriber.Counts, error)
	ConfirmSubscriber(ctx context.Context, pageID int64, hash string, now time.Time) (subscriber.Subscriber, error)
	Unsubscribe(ctx context.Context, pageID int64, hash string) error
	SubscriberByToken(ctx context.Context, pageID int64, hash string) (subscriber.Subscriber, error)
}

// ErrSubscriptionsClosed refuses a visitor's subscription to a private page: its audience
// is the organization's members, who have the admin.
var ErrSubscriptionsClosed = errors.New("this page takes no subscriptions")

// ErrInvalidLink refuses a confirm or unsubscribe link whose token is unknown: forged, or
// its subscriber is gone (unsubscribed, or never confirmed in time).
var ErrInvalidLink = errors.New("invalid or expired subscription link")

// Subscribe records a visitor's e-mail subscription to page p and queues its confirmation
// mail (double opt-in). An address already confirmed, or asked again too soon, gets
// nothing, and the caller cannot tell (the visitor always reads "check your mail").
// Refusals: *subscriber.Error for a bad address, ErrSubscriptionsClosed for a private page.
func (s *Service) Subscribe(ctx context.Context, p statuspage.Page, email string) error {
	if !p.Public {
		return ErrSubscriptionsClosed
	}
	_, err := s.store.Subscribe(ctx, subscriber.Subscriber{OrgID: p.OrgID, PageID: p.ID, Kind: subscriber.KindEmail, Address: email}, s.now())
	return err
}

// SubscriptionByToken returns the subscriber of page p holding a link token; ErrInvalidLink
// for none.
func (s *Service) SubscriptionByToken(ctx context.Context, p statuspage.Page, token string) (subscriber.Subscriber, error) {
	sub, err := s.store.SubscriberByToken(ctx, p.ID, subscriber.HashToken(token))
	if isNotFound(err) {
		return sub, ErrInvalidLink
	}
	return sub, err
}

// ConfirmSubscription confirms the subscriber of page p holding token (the link of one of
// its mails); ErrInvalidLink for none, ErrSubscriptionsClosed on a private page.
func (s *Service) ConfirmSubscription(ctx context.Context, p statuspage.Page, token string) error {
	if !p.Public {
		return ErrSubscriptionsClosed
	}
	_, err := s.store.ConfirmSubscriber(ctx, p.ID, subscriber.HashToken(token), s.now())
	if isNotFound(err) {
		return ErrInvalidLink
	}
	return err
}

// Unsubscribe removes the subscriber of page p holding token, and what it was still owed;
// ErrInvalidLink when there is none (already unsubscribed, or a forged token).
func (s *Service) Unsubscribe(ctx context.Context, p statuspage.Page, token string) error {
	err := s.store.Unsubscribe(ctx, p.ID, subscriber.HashToken(token))
	if isNotFound(err) {
		return ErrInvalidLink
	}
	return err
}

// Subscribers lists the subscribers of page pageID of orgID by id, after afterID.
func (s *Service) Subscribers(ctx context.Context, orgID, pageID, afterID int64, limit int) ([]subscriber.Subscriber, error) {
	if _, err := s.store.StatusPage(ctx, orgID, pageID); err != nil {
		return nil, err
	}
	return s.store.Subscribers(ctx, orgID, pageID, afterID, limit)
}

// Subscriber returns one subscriber of page pageID of orgID.
func (s *Service) Subscriber(ctx context.Context, orgID, pageID, id int64) (subscriber.Subscriber, error) {
	return s.store.Subscriber(ctx, orgID, pageID, id)
}

// AddSubscriber adds a subscriber to a page of orgID by its team: a webhook (confirmed at
// once), or an e-mail address that confirms by mail unless confirmed is set (an import
// whose consent the caller vouches for). Refusals are *subscriber.Error (wrapped).
func (s *Service) AddSubscriber(ctx context.Context, orgID int64, sub subscriber.Subscriber, confirmed bool) (subscriber.Subscriber, error) {
	sub.OrgID, sub.ID = orgID, 0
	return s.store.AddSubscriber(ctx, sub, confirmed, s.now())
}

// RemoveSubscriber removes a subscriber of page pageID of orgID.
func (s *Service) RemoveSubscriber(ctx context.Context, orgID, pageID, id int64) error {
	return s.store.DeleteSubscriber(ctx, orgID, pageID, id)
}

// SubscriberCounts counts the subscribers of each page of orgID, by page id.
func (s *Service) SubscriberCounts(ctx context.Context, orgID int64) (map[int64]subscriber.Counts, error) {
	return s.store.SubscriberCounts(ctx, orgID)
}

// FailedSubscriberNotices lists a page's given-up notices, newest first.
func (s *Service) FailedSubscriberNotices(ctx context.Context, orgID, pageID int64) ([]subscriber.FailedNotice, error) {
	return s.store.FailedSubscriberNotices(ctx, orgID, pageID)
}

// RetrySubscriberNotice queues a given-up notice again.
func (s *Service) RetrySubscriberNotice(ctx context.Context, orgID, id int64) error {
	return s.store.RetrySubscriberNotice(ctx, orgID, id, s.now())
}

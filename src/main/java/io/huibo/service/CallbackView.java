package io.huibo.service;

import io.huibo.domain.Attempt;
import io.huibo.domain.Callback;
import io.huibo.store.RouteTryStore.RouteTry;
import io.huibo.store.WebhookOutbox;
import java.util.List;

/**
 * A callback with every attempt made for it and every route tried in them, as the API shows it.
 *
 * @param placing its position in the queue and ETA; null when it is not waiting there
 */
public record CallbackView(Callback callback, List<Attempt> attempts, List<RouteTry> tries,
                           List<WebhookOutbox.Delivery> webhooks, QueuePosition.Placing placing) {

    public CallbackView(Callback callback, List<Attempt> attempts, List<RouteTry> tries,
                        List<WebhookOutbox.Delivery> webhooks) {
        this(callback, attempts, tries, webhooks, null);
    }

    public CallbackView {
        attempts = List.copyOf(attempts);
        tries = tries == null ? List.of() : List.copyOf(tries);
        webhooks = webhooks == null ? List.of() : List.copyOf(webhooks);
    }

    public CallbackView(Callback callback, List<Attempt> attempts, List<RouteTry> tries) {
        this(callback, attempts, tries, List.of());
    }

    public CallbackView(Callback callback, List<Attempt> attempts) {
        this(callback, attempts, List.of());
    }

    /** The route tries of one attempt, by leg and try. */
    public List<RouteTry> tries(int attempt) {
        return tries.stream().filter(t -> t.attempt() == attempt).toList();
    }
}

package io.huibo.service;

import io.huibo.domain.Attempt;
import io.huibo.domain.Callback;
import java.util.List;

/** A callback with every attempt made for it, as the API shows it. */
public record CallbackView(Callback callback, List<Attempt> attempts) {
}

package io.huibo.service;

import io.huibo.domain.Callback;

/** The stored callback, and whether this request created it or repeated an earlier one. */
public record Submission(Callback callback, boolean repeat) {
}

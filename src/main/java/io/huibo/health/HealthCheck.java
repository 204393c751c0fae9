package io.huibo.health;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;

/** What {@code GET /health} reports: one JSON object, and whether everything needed is up. */
public interface HealthCheck {
    record Report(boolean healthy, JsonObject body) {
    }

    Future<Report> check();
}

package io.huibo.agi;

import io.huibo.pbx.AttemptResult;
import io.huibo.routing.Routes;
import io.vertx.core.Handler;

/**
 * When an attempt ends: its answered tries are recorded and its route handouts forgotten
 * ({@link ReportScript#attemptEnded}), and the trunk slots its routes held are given back.
 */
public final class RouteRelease implements Handler<AttemptResult> {
    private final ReportScript reports;
    private final Routes routes;

    public RouteRelease(ReportScript reports, Routes routes) {
        this.reports = reports;
        this.routes = routes;
    }

    @Override
    public void handle(AttemptResult r) {
        reports.attemptEnded(r.callbackId(), r.attempt(), r.answeredAt() != null, r.outcome().isSuccess());
        routes.release(r.callbackId(), r.attempt());
    }
}

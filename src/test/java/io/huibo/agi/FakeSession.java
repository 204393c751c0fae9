package io.huibo.agi;

import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/** An AgiSession that records commands and answers them with a reply function (default 200 result=1). */
final class FakeSession implements AgiSession {
    final AgiRequest request;
    final List<String> commands = new ArrayList<>();
    Function<String, AgiReply> replies = c -> AgiReply.parse("200 result=1");
    boolean closed;

    FakeSession(AgiRequest request) {
        this.request = request;
    }

    @Override
    public AgiRequest request() {
        return request;
    }

    @Override
    public Future<AgiReply> send(String command) {
        commands.add(command);
        return Future.succeededFuture(replies.apply(command));
    }

    @Override
    public boolean hungUp() {
        return false;
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public Future<Void> close() {
        closed = true;
        return Future.succeededFuture();
    }
}

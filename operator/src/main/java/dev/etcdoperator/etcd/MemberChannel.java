package dev.etcdoperator.etcd;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import com.google.protobuf.ByteString;
import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.api.AlarmRequest;
import io.etcd.jetcd.api.AlarmType;
import io.etcd.jetcd.api.ClusterGrpc;
import io.etcd.jetcd.api.KVGrpc;
import io.etcd.jetcd.api.MaintenanceGrpc;
import io.etcd.jetcd.api.MemberListRequest;
import io.etcd.jetcd.api.RangeRequest;
import io.etcd.jetcd.api.StatusRequest;
import io.etcd.jetcd.cluster.MemberListResponse;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.maintenance.AlarmResponse;
import io.etcd.jetcd.maintenance.StatusResponse;
import io.grpc.ManagedChannel;
import io.grpc.stub.AbstractStub;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One member's kept gRPC connection for probes, with etcd's own stubs. jetcd's {@code statusMember} opens a new
 * channel (and TLS handshake) per call, and never closes it when the caller gives up waiting; here every probe call
 * of a member, status included, goes over the one connection, each with its own deadline.
 */
final class MemberChannel implements AutoCloseable {
  private static final ByteSequence NO_NAMESPACE = ByteSequence.EMPTY;

  private final ManagedChannel channel;
  private final Duration timeout;
  private final KVGrpc.KVFutureStub kv;
  private final MaintenanceGrpc.MaintenanceFutureStub maintenance;
  private final ClusterGrpc.ClusterFutureStub cluster;

  MemberChannel(ManagedChannel channel, Duration timeout) {
    this.channel = channel;
    this.timeout = timeout;
    this.kv = KVGrpc.newFutureStub(channel);
    this.maintenance = MaintenanceGrpc.newFutureStub(channel);
    this.cluster = ClusterGrpc.newFutureStub(channel);
  }

  /** A linearizable read of {@code key} (etcd's default for a range without serializable). */
  CompletableFuture<GetResponse> read(ByteSequence key) {
    return call(kv, s -> s.range(RangeRequest.newBuilder().setKey(ByteString.copyFrom(key.getBytes())).build()))
        .thenApply(r -> new GetResponse(r, NO_NAMESPACE));
  }

  CompletableFuture<AlarmResponse> alarms() {
    return call(maintenance, s -> s.alarm(AlarmRequest.newBuilder().setAlarm(AlarmType.NONE)
        .setAction(AlarmRequest.AlarmAction.GET).setMemberID(0).build())).thenApply(AlarmResponse::new);
  }

  CompletableFuture<MemberListResponse> members() {
    return call(cluster, s -> s.memberList(MemberListRequest.getDefaultInstance()))
        .thenApply(MemberListResponse::new);
  }

  CompletableFuture<StatusResponse> status() {
    return call(maintenance, s -> s.status(StatusRequest.getDefaultInstance())).thenApply(StatusResponse::new);
  }

  private <S extends AbstractStub<S>, T> CompletableFuture<T> call(S stub, Function<S, ListenableFuture<T>> call) {
    ListenableFuture<T> sent = call.apply(stub.withDeadlineAfter(timeout.toNanos(), TimeUnit.NANOSECONDS));
    CompletableFuture<T> answer = new CompletableFuture<>();
    Futures.addCallback(sent, new FutureCallback<>() {
      @Override
      public void onSuccess(T result) {
        answer.complete(result);
      }

      @Override
      public void onFailure(Throwable failure) {
        answer.completeExceptionally(failure);
      }
    }, MoreExecutors.directExecutor());
    // A caller that stops waiting cancels the call on the wire too.
    answer.whenComplete((r, e) -> {
      if (answer.isCancelled()) {
        sent.cancel(true);
      }
    });
    return answer;
  }

  @Override
  public void close() {
    channel.shutdownNow();
  }
}

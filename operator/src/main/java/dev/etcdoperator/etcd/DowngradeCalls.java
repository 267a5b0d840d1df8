package dev.etcdoperator.etcd;

import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.netty.handler.ssl.SslContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * etcd's downgrade API (3.6+: {@code Maintenance/Downgrade}) and the parts of {@code Maintenance/Status} that say
 * how a downgrade stands (storage version, downgrade info), which jetcd's protocol files predate. The messages are
 * encoded here by field number, as etcd's {@code rpc.proto} defines them: DowngradeRequest {action = 1 (VALIDATE 0,
 * ENABLE 1, CANCEL 2), version = 2}; StatusResponse {version = 2, storageVersion = 11, downgradeInfo = 13 {enabled =
 * 1, targetVersion = 2}}.
 */
final class DowngradeCalls {
  private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  };
  private static final MethodDescriptor<byte[], byte[]> DOWNGRADE = unary("etcdserverpb.Maintenance/Downgrade");
  private static final MethodDescriptor<byte[], byte[]> STATUS = unary("etcdserverpb.Maintenance/Status");

  /** The downgrade actions etcd knows, by their number in DowngradeRequest. */
  enum Action {
    VALIDATE, ENABLE, CANCEL
  }

  private final SslContext sslContext;
  private final Duration timeout;

  DowngradeCalls(SslContext sslContext, Duration timeout) {
    this.sslContext = sslContext;
    this.timeout = timeout;
  }

  /** Asks the member at {@code endpoint} to validate, enable or cancel a downgrade to {@code minor} ("3.5"). */
  void downgrade(URI endpoint, Action action, String minor) {
    byte[] request = encode(out -> {
      out.writeEnum(1, action.ordinal());
      out.writeString(2, minor + ".0");
    });
    call(endpoint, DOWNGRADE, request, "downgrade " + action.name().toLowerCase() + " " + minor);
  }

  /** How the member at {@code endpoint} stands: its version, storage version and the downgrade it knows of. */
  DowngradeStatus status(URI endpoint) {
    byte[] response = call(endpoint, STATUS, new byte[0], "status");
    String version = "";
    Optional<String> storageVersion = Optional.empty();
    boolean enabled = false;
    Optional<String> target = Optional.empty();
    try {
      CodedInputStream in = CodedInputStream.newInstance(response);
      for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
        switch (tag >>> 3) {
          case 2 -> version = in.readString();
          case 11 -> storageVersion = Optional.of(in.readString()).filter(s -> !s.isEmpty());
          case 13 -> {
            CodedInputStream info = CodedInputStream.newInstance(in.readByteArray());
            for (int t = info.readTag(); t != 0; t = info.readTag()) {
              switch (t >>> 3) {
                case 1 -> enabled = info.readBool();
                case 2 -> target = Optional.of(info.readString()).filter(s -> !s.isEmpty());
                default -> info.skipField(t);
              }
            }
          }
          default -> in.skipField(tag);
        }
      }
    } catch (IOException e) {
      throw new EtcdClientException("etcd at " + endpoint + " answered status with a message this operator cannot "
          + "read: " + e.getMessage(), List.of(endpoint));
    }
    return new DowngradeStatus(endpoint, version, storageVersion, enabled, target);
  }

  private byte[] call(URI endpoint, MethodDescriptor<byte[], byte[]> method, byte[] request, String what) {
    ManagedChannel channel = JetcdFactory.channel(endpoint, sslContext);
    try {
      return ClientCalls.blockingUnaryCall(channel, method,
          CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS), request);
    } catch (StatusRuntimeException e) {
      throw Failures.translate(e, what, List.of(endpoint), timeout);
    } finally {
      channel.shutdownNow();
    }
  }

  private static MethodDescriptor<byte[], byte[]> unary(String name) {
    return MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNARY)
        .setFullMethodName(name).setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
  }

  private interface Fields {
    void write(CodedOutputStream out) throws IOException;
  }

  private static byte[] encode(Fields fields) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CodedOutputStream out = CodedOutputStream.newInstance(bytes);
    try {
      fields.write(out);
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return bytes.toByteArray();
  }
}

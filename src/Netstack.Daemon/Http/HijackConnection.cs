using System.IO.Pipelines;
using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http.Features;

namespace Netstack.Daemon.Http;

/// <summary>
/// The connection as Kestrel's HTTP layer sees it behind <see cref="HijackRequestRewriter"/>: the
/// transport's own, except that <see cref="ConnectionClosed"/> follows the transport's only once the
/// first request is known not to be a hijack. The socket transport fires its ConnectionClosed on the
/// client's FIN, and Kestrel then aborts the response; a hijacked exchange outlives that FIN (the
/// client has only stopped sending), so there the token fires when the connection is disposed.
/// </summary>
internal sealed class HijackConnection : ConnectionContext
{
    private const int Undecided = 0;
    private const int Plain = 1;
    private const int Hijacked = 2;

    private readonly ConnectionContext _inner;
    private readonly CancellationTokenSource _closed = new();
    private readonly CancellationTokenRegistration _innerClosed;
    private int _kind;
    private int _innerHasClosed;

    public HijackConnection(ConnectionContext inner, IDuplexPipe transport)
    {
        _inner = inner;
        Transport = transport;
        _innerClosed = inner.ConnectionClosed.Register(static state => ((HijackConnection)state!).OnInnerClosed(), this);
    }

    public override string ConnectionId
    {
        get => _inner.ConnectionId;
        set => _inner.ConnectionId = value;
    }

    public override IFeatureCollection Features => _inner.Features;

    public override IDictionary<object, object?> Items
    {
        get => _inner.Items;
        set => _inner.Items = value;
    }

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed
    {
        get => _closed.Token;
        set => throw new NotSupportedException("the hijack-aware connection owns its close token");
    }

    public override EndPoint? LocalEndPoint
    {
        get => _inner.LocalEndPoint;
        set => _inner.LocalEndPoint = value;
    }

    public override EndPoint? RemoteEndPoint
    {
        get => _inner.RemoteEndPoint;
        set => _inner.RemoteEndPoint = value;
    }

    public override void Abort(ConnectionAbortedException abortReason) => _inner.Abort(abortReason);

    /// <summary>Called once the first request's head has been seen: a hijack keeps the connection past the client's FIN.</summary>
    public void Decide(bool hijack)
    {
        // Full fences on both sides (CompareExchange here, Exchange there): whichever of the
        // decision and the transport's close comes second sees the first.
        if (Interlocked.CompareExchange(ref _kind, hijack ? Hijacked : Plain, Undecided) == Undecided
            && !hijack && Volatile.Read(ref _innerHasClosed) == 1)
        {
            Close();
        }
    }

    public override async ValueTask DisposeAsync()
    {
        await _innerClosed.DisposeAsync().ConfigureAwait(false);
        Close();
        _closed.Dispose();
    }

    private void OnInnerClosed()
    {
        Interlocked.Exchange(ref _innerHasClosed, 1);
        if (Volatile.Read(ref _kind) == Plain)
        {
            Close();
        }
    }

    private void Close()
    {
        try
        {
            _closed.Cancel();
        }
        catch (ObjectDisposedException)
        {
            // Already disposed: nothing listens any more.
        }
    }
}

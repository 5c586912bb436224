using System.Net;

namespace Netstack.Gossip.Transport;

/// <summary>
/// A simulated network for tests and the simulation benchmark: every transport it creates
/// delivers through timers of the given <see cref="TimeProvider"/> (so a fake clock drives it),
/// with a base delay plus jitter, per-node extra delay (slow nodes), random datagram loss,
/// partitions and dead nodes. Streams are not lost (TCP retransmits) but do not cross partitions.
/// Single-threaded use with a fake clock is the intended mode; the tables are locked anyway.
/// </summary>
public sealed class InMemoryNetwork
{
    private readonly object _gate = new();
    private readonly TimeProvider _time;
    private readonly Random _random;
    private readonly Dictionary<IPEndPoint, InMemoryTransport> _transports = [];
    private readonly Dictionary<IPEndPoint, TimeSpan> _extraDelay = [];
    private readonly Dictionary<IPEndPoint, int> _side = [];
    private readonly HashSet<IPEndPoint> _down = [];

    public InMemoryNetwork(TimeProvider time, Random random)
    {
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(random);
        _time = time;
        _random = random;
    }

    /// <summary>One-way delay of every packet (default 1 ms).</summary>
    public TimeSpan BaseDelay { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Uniform random extra delay from zero to this (default 1 ms).</summary>
    public TimeSpan Jitter { get; set; } = TimeSpan.FromMilliseconds(1);

    /// <summary>Probability (0..1) that a datagram is lost.</summary>
    public double LossRate { get; set; }

    /// <summary>Datagrams and streams delivered so far.</summary>
    public long Delivered { get; private set; }

    /// <summary>Largest datagram any transport of this network sent (injected ones excluded).</summary>
    public int MaxDatagramSize { get; private set; }

    /// <summary>Creates a transport reachable at <paramref name="address"/>.</summary>
    public IGossipTransport CreateTransport(IPEndPoint address)
    {
        lock (_gate)
        {
            if (_transports.ContainsKey(address))
            {
                throw new InvalidOperationException($"address {address} is already in use on this in-memory network");
            }
            var transport = new InMemoryTransport(this, address);
            _transports[address] = transport;
            return transport;
        }
    }

    /// <summary>Adds <paramref name="delay"/> to every packet sent to or from the node (a slow node).</summary>
    public void SetNodeDelay(IPEndPoint node, TimeSpan delay)
    {
        lock (_gate)
        {
            _extraDelay[node] = delay;
        }
    }

    /// <summary>Splits the network: nodes in different groups cannot reach each other. Unlisted nodes stay in group 0.</summary>
    public void Partition(params IEnumerable<IPEndPoint>[] groups)
    {
        ArgumentNullException.ThrowIfNull(groups);
        lock (_gate)
        {
            _side.Clear();
            for (var g = 0; g < groups.Length; g++)
            {
                foreach (var node in groups[g])
                {
                    _side[node] = g;
                }
            }
        }
    }

    /// <summary>Removes every partition.</summary>
    public void Heal()
    {
        lock (_gate)
        {
            _side.Clear();
        }
    }

    /// <summary>Cuts a node off completely (a crashed host), or restores it.</summary>
    public void SetDown(IPEndPoint node, bool down)
    {
        lock (_gate)
        {
            if (down)
            {
                _down.Add(node);
            }
            else
            {
                _down.Remove(node);
            }
        }
    }

    /// <summary>Sends raw bytes as if <paramref name="from"/> had sent them (for malformed-input tests).</summary>
    public bool Inject(IPEndPoint from, IPEndPoint to, ReadOnlySpan<byte> data, bool stream = false) =>
        Send(from, to, data.ToArray(), stream);

    /// <summary>Forgets a transport so its address can be reused (a restarted node).</summary>
    public void Remove(IPEndPoint address)
    {
        lock (_gate)
        {
            _transports.Remove(address);
        }
    }

    private void NoteDatagram(int size)
    {
        lock (_gate)
        {
            MaxDatagramSize = Math.Max(MaxDatagramSize, size);
        }
    }

    private bool Reachable(IPEndPoint from, IPEndPoint to) =>
        !_down.Contains(from) && !_down.Contains(to)
        && _side.GetValueOrDefault(from) == _side.GetValueOrDefault(to)
        && _transports.ContainsKey(to);

    private TimeSpan DelayLocked(IPEndPoint from, IPEndPoint to)
    {
        var delay = BaseDelay + TimeSpan.FromTicks((long)(_random.NextDouble() * Jitter.Ticks));
        delay += _extraDelay.GetValueOrDefault(from) + _extraDelay.GetValueOrDefault(to);
        return delay;
    }

    private bool Send(IPEndPoint from, IPEndPoint to, byte[] data, bool stream)
    {
        TimeSpan delay;
        lock (_gate)
        {
            if (!Reachable(from, to))
            {
                return false;
            }
            if (!stream && LossRate > 0 && _random.NextDouble() < LossRate)
            {
                return true;
            }
            delay = DelayLocked(from, to);
        }
        var delivery = new Delivery(this, from, to, data, stream);
        delivery.Timer = _time.CreateTimer(static s => ((Delivery)s!).Run(), delivery, delay, Timeout.InfiniteTimeSpan);
        return true;
    }

    private void Deliver(Delivery delivery)
    {
        InMemoryTransport? target;
        lock (_gate)
        {
            // Conditions are checked again on arrival: a partition or crash in flight drops it.
            if (!Reachable(delivery.From, delivery.To) || !_transports.TryGetValue(delivery.To, out target))
            {
                return;
            }
            Delivered++;
        }
        target.Receive(delivery.Data, delivery.From, delivery.Stream);
    }

    private sealed class Delivery(InMemoryNetwork network, IPEndPoint from, IPEndPoint to, byte[] data, bool stream)
    {
        public ITimer? Timer { get; set; }

        public IPEndPoint From { get; } = from;

        public IPEndPoint To { get; } = to;

        public byte[] Data { get; } = data;

        public bool Stream { get; } = stream;

        public void Run()
        {
            Timer?.Dispose();
            network.Deliver(this);
        }
    }

    private sealed class InMemoryTransport(InMemoryNetwork network, IPEndPoint address) : IGossipTransport
    {
        private GossipReceiveHandler? _handler;
        private bool _disposed;

        public IPEndPoint LocalEndpoint { get; } = address;

        public void Start(GossipReceiveHandler handler) => _handler = handler;

        public void SendPacket(IPEndPoint to, ReadOnlySpan<byte> packet)
        {
            if (!_disposed)
            {
                network.NoteDatagram(packet.Length);
                network.Send(LocalEndpoint, to, packet.ToArray(), stream: false);
            }
        }

        public Task<bool> SendStreamAsync(IPEndPoint to, ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
            Task.FromResult(!_disposed && network.Send(LocalEndpoint, to, frame.ToArray(), stream: true));

        public void Receive(byte[] data, IPEndPoint from, bool stream)
        {
            if (!_disposed)
            {
                _handler?.Invoke(data, from, stream);
            }
        }

        public ValueTask DisposeAsync()
        {
            _disposed = true;
            network.Remove(LocalEndpoint);
            return ValueTask.CompletedTask;
        }
    }
}

using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Threading.Channels;
using Netstack.Core;
using Netstack.Core.Drivers;
using Netstack.Linux;
using SharpPcap;
using SharpPcap.LibPcap;

namespace Netstack.Capture.Sessions;

/// <summary>What a capture is asked for: the BPF filter, the snapshot length and the kernel buffer.</summary>
public sealed record CaptureSettings
{
    /// <summary>tcpdump's default snapshot length: whole frames, GSO super-frames included.</summary>
    public const int DefaultSnaplen = 262144;

    /// <summary>Per interface; large so that a burst waits in the kernel rather than being dropped there.</summary>
    public const int DefaultBufferBytes = 32 * 1024 * 1024;

    public string? Filter { get; init; }

    public int Snaplen { get; init; } = DefaultSnaplen;

    public int BufferBytes { get; init; } = DefaultBufferBytes;

    /// <summary>
    /// Frames handed over one by one as they come (libpcap then uses TPACKET_V2: a fixed slot of the
    /// largest frame per frame, a wake-up per frame) rather than in TPACKET_V3 blocks, handed over when
    /// one fills or the read timeout (100 ms) passes: blocks pack frames by their real size and are
    /// read without a system call per frame, so they are the default; a ping still shows within the
    /// timeout.
    /// </summary>
    public bool Immediate { get; init; }
}

/// <summary>An opened interface of a session.</summary>
public sealed record CaptureInterface(int Index, CapturePoint Point, int LinkType, int Snaplen);

/// <summary>
/// The kernel's counters of one interface at the end (pcap_stats, read with the right layout by
/// <see cref="PcapCounters"/>: what passed the filter, what the kernel dropped because the ring was
/// full, what the interface dropped) and what the session read from it. <see cref="Read"/> = <see cref="Received"/> - <see cref="Dropped"/> when nothing
/// was lost between the kernel and the reader.
/// </summary>
public sealed record CaptureCounters(int Interface, long Received, long Dropped, long InterfaceDropped, long Read);

/// <summary>
/// A capture on a set of interfaces, each opened through libpcap inside its own network namespace
/// (on a thread that enters it, as netlink sockets are; the packet socket stays bound there). One
/// reader thread per interface copies frames out of the kernel's ring into batches (pcap records in
/// a pooled buffer, see <see cref="CaptureBatch"/>) and moves them into a bounded channel, waiting
/// when it is full, so a slow consumer makes the kernel buffer fill (and the kernel count what it
/// drops) but nothing is ever dropped between libpcap and the consumer. A batch is handed over
/// when it is full or when libpcap has nothing more for now, so a lone ping is not held back.
/// The kernel's counters are read with <see cref="PcapCounters"/>, so what it drops is reported.
/// </summary>
public sealed class CaptureSession : IDisposable
{
    // How long a reader waits in libpcap before looking at the stop flag.
    private const int ReadTimeoutMs = 100;
    // A batch holds this many bytes of records (about 1800 frames at -s 128, a few GSO frames whole);
    // the channel holds this many batches, so at most 16 MiB wait between the readers and the consumer.
    private const int BatchBytes = 256 * 1024;
    private const int ChannelCapacity = 64;
    // Frames a reader still takes after Finish: traffic that goes on must not keep the capture open for ever.
    private const int FramesAfterFinish = 8192;
    private const int QuietReadsToFinish = 3;
    private const int SpuriousWakeUps = 100;
    /// <summary>Longest a read frame waits in a batch that is not full (what a lone ping is held back at most).</summary>
    private const int BatchHoldMs = 20;

    private readonly List<LibPcapLiveDevice> _devices;
    private readonly List<Thread> _readers = [];
    private readonly long[] _read;
    private readonly CaptureCounters?[] _atStop;
    private readonly Channel<CaptureBatch> _channel = Channel.CreateBounded<CaptureBatch>(new BoundedChannelOptions(ChannelCapacity)
    {
        SingleReader = true,
        FullMode = BoundedChannelFullMode.Wait,
    });
    private volatile bool _finishing;
    private volatile bool _abandoned;
    private int _running;
    private IReadOnlyList<CaptureCounters>? _counters;

    private CaptureSession(List<LibPcapLiveDevice> devices, IReadOnlyList<CaptureInterface> interfaces)
    {
        _devices = devices;
        Interfaces = interfaces;
        _read = new long[devices.Count];
        _atStop = new CaptureCounters?[devices.Count];
    }

    public IReadOnlyList<CaptureInterface> Interfaces { get; }

    /// <summary>Batches of frames of every interface, in the order they were read; completes when every reader has stopped.</summary>
    public ChannelReader<CaptureBatch> Batches => _channel.Reader;

    /// <summary>
    /// Opens every point with the filter applied; nothing stays open when one fails.
    /// </summary>
    /// <exception cref="InvalidParameterException">The filter does not compile (field <c>filter</c>).</exception>
    /// <exception cref="NotFoundException">An interface is not in its namespace.</exception>
    public static CaptureSession Open(IReadOnlyList<CapturePoint> points, CaptureSettings settings)
    {
        ArgumentNullException.ThrowIfNull(points);
        ArgumentNullException.ThrowIfNull(settings);
        var devices = new List<LibPcapLiveDevice>();
        var interfaces = new List<CaptureInterface>();
        try
        {
            foreach (var point in points)
            {
                var device = OpenDevice(point, settings);
                devices.Add(device);
                interfaces.Add(new CaptureInterface(interfaces.Count, point, (int)device.LinkType, settings.Snaplen));
            }
            return new CaptureSession(devices, interfaces);
        }
        catch
        {
            foreach (var device in devices)
            {
                device.Dispose();
            }
            throw;
        }
    }

    /// <summary>True when libpcap compiles <paramref name="filter"/> for Ethernet frames; the reason when not.</summary>
    public static bool TryCompileFilter(string filter, out string? error)
    {
        ArgumentNullException.ThrowIfNull(filter);
        // pcap_compile on a dead Ethernet handle: no interface, no privileges, the same grammar.
        var ok = PcapDevice.CheckFilter(filter, out var why);
        error = ok ? null : why;
        return ok;
    }

    private static LibPcapLiveDevice OpenDevice(CapturePoint point, CaptureSettings settings)
    {
        LibPcapLiveDevice Open()
        {
            // pcap_findalldevs asks the kernel of the calling thread's namespace (getifaddrs over netlink).
            var found = PcapInterface.GetAllPcapInterfaces().FirstOrDefault(i => i.Name == point.InterfaceName)
                ?? throw new NotFoundException("interface", point.InterfaceName,
                    $"it is not in {(point.NamespacePath is null ? "the daemon's namespace" : point.NamespacePath)}");
            var device = new LibPcapLiveDevice(found);
            try
            {
                device.Open(new DeviceConfiguration
                {
                    Mode = DeviceModes.Promiscuous,
                    Snaplen = settings.Snaplen,
                    ReadTimeout = ReadTimeoutMs,
                    BufferSize = settings.BufferBytes,
                    Immediate = settings.Immediate,
                });
            }
            catch (PcapException e)
            {
                device.Dispose();
                throw new InvalidOperationException($"libpcap could not open {point.InterfaceName}: {e.Message}", e);
            }
            // Non-blocking: the reader waits on the socket itself (PcapReadiness says why).
            device.NonBlockingMode = true;
            if (!string.IsNullOrWhiteSpace(settings.Filter))
            {
                try
                {
                    device.Filter = settings.Filter;
                }
                catch (PcapException e)
                {
                    device.Dispose();
                    throw new InvalidParameterException("filter", settings.Filter, e.Message);
                }
            }
            return device;
        }

        if (point.NamespacePath is null)
        {
            return Open();
        }
        using var ns = NetworkNamespace.Open(point.NamespacePath);
        return ns.Run(Open);
    }

    /// <summary>Starts a reader thread per interface.</summary>
    public void Start()
    {
        _running = _devices.Count;
        for (var i = 0; i < _devices.Count; i++)
        {
            var index = i;
            var thread = new Thread(() => ReadLoop(index)) { IsBackground = true, Name = "capture " + Interfaces[i].Point.InterfaceName };
            _readers.Add(thread);
            thread.Start();
        }
        if (_devices.Count == 0)
        {
            _channel.Writer.TryComplete();
        }
    }

    // pcap_next_ex's answers (pcap/pcap.h).
    private const int PcapPacketRead = 1;
    private const int PcapTimeout = 0;

    private void ReadLoop(int index)
    {
        var device = _devices[index];
        var drained = 0;
        var quiet = 0;
        var empty = 0;
        nint header = 0;
        nint data = 0;
        CaptureBatch? batch = null;
        var batchStarted = 0L;
        try
        {
            var descriptor = PcapReadiness.SelectableDescriptor(device.Handle);
            while (!_abandoned)
            {
                // pcap_next_ex straight, without blocking: SharpPcap's GetNextPacket polls the socket
                // before every frame (a system call per frame even when the current block holds
                // hundreds). Only when libpcap has nothing does the reader wait on the socket.
                var status = device.GetNextPacketPointers(ref header, ref data);
                if (status == PcapTimeout && batch is not null)
                {
                    // Nothing more for now. The kernel retires a ring block (one page at a small
                    // snapshot length: about 20 frames) at a time, so a reader that keeps up finds
                    // the ring empty after nearly every block: handing the batch over each time cost
                    // a channel write, a wake-up and a socket write per 20 frames (3.4 s of daemon
                    // CPU for 180,000 frames at -s 128). The batch is held for up to BatchHoldMs
                    // after its first frame while more come; then, or when it is full, it goes.
                    var held = (int)Stopwatch.GetElapsedTime(batchStarted).TotalMilliseconds;
                    if (held < BatchHoldMs && ++empty < SpuriousWakeUps && PcapReadiness.Wait(descriptor, BatchHoldMs - held))
                    {
                        continue;
                    }
                    var full = batch;
                    batch = null;
                    if (!Write(full))
                    {
                        break;
                    }
                }
                if (status == PcapTimeout && ++empty < SpuriousWakeUps && PcapReadiness.Wait(descriptor, ReadTimeoutMs))
                {
                    continue;
                }
                if (status == PcapTimeout)
                {
                    if (empty >= SpuriousWakeUps)
                    {
                        // The socket keeps saying "readable" and libpcap keeps having nothing (an error
                        // state it has not reported yet): do not spin; count it as a quiet read.
                        Thread.Sleep(ReadTimeoutMs);
                    }
                    empty = 0;
                    // Asked to finish and the ring stayed empty for longer than a block's timeout (the
                    // kernel hands a partly filled block over only when that passes): every frame it
                    // delivered has been read.
                    if (_finishing && ++quiet >= QuietReadsToFinish)
                    {
                        break;
                    }
                    continue;
                }
                quiet = 0;
                empty = 0;
                if (status != PcapPacketRead)
                {
                    break;
                }
                // struct pcap_pkthdr on 64-bit Linux: struct timeval (tv_sec, tv_usec: 8 bytes each,
                // microseconds as the handle was opened), then caplen and len (4 bytes each).
                var seconds = Marshal.ReadInt64(header, 0);
                var micros = Marshal.ReadInt64(header, 8);
                var captured = Marshal.ReadInt32(header, 16);
                var wireLength = Marshal.ReadInt32(header, 20);
                if (batch is not null && batch.Room < captured)
                {
                    var full = batch;
                    batch = null;
                    if (!Write(full))
                    {
                        break;
                    }
                }
                if (batch is null)
                {
                    batch = new CaptureBatch(index, Math.Max(BatchBytes, captured + CaptureBatch.RecordHeaderLength));
                    batchStarted = Stopwatch.GetTimestamp();
                }
                var at = batch.Add(seconds * 1_000_000 + micros, captured, wireLength);
                Marshal.Copy(data, batch.Buffer, at, captured);
                _read[index]++;
                if (_finishing && ++drained >= FramesAfterFinish)
                {
                    break;
                }
            }
        }
        finally
        {
            // What was read and not yet handed over goes too (the counters count it as read).
            if (batch is not null)
            {
                Write(batch);
            }
            // The kernel's counters at the moment this reader stopped taking frames: what it delivered
            // after that (traffic that goes on) is not the capture's to account for.
            try
            {
                var stats = PcapCounters.Read(device.Handle);
                _atStop[index] = new CaptureCounters(index, stats.Received, stats.Dropped, stats.InterfaceDropped, _read[index]);
            }
            catch (InvalidOperationException)
            {
                // Counters are read again in Stop.
            }
            if (Interlocked.Decrement(ref _running) == 0)
            {
                _channel.Writer.TryComplete();
            }
        }
    }

    // Waits for room rather than dropping: a frame libpcap gave us is never lost here, unless the
    // consumer has gone (abandoned; the batch is then given back).
    private bool Write(CaptureBatch batch)
    {
        while (!_channel.Writer.TryWrite(batch))
        {
            if (_abandoned)
            {
                batch.Release();
                return false;
            }
            var wait = _channel.Writer.WaitToWriteAsync().AsTask();
            wait.Wait(ReadTimeoutMs);
            if (wait.IsCompletedSuccessfully && !wait.Result)
            {
                batch.Release();
                return false;
            }
        }
        return true;
    }

    /// <summary>
    /// Asks the readers to finish: each reads what is left in its kernel buffer, then stops; the
    /// channel completes when all have. The consumer keeps reading <see cref="Frames"/> to the end,
    /// then calls <see cref="Stop"/> for the counters.
    /// </summary>
    public void Finish() => _finishing = true;

    /// <summary>
    /// Stops the readers (at once, unless <see cref="Finish"/> let them end) and reads the kernel's
    /// counters. Idempotent: the counters of the first call are kept.
    /// </summary>
    public IReadOnlyList<CaptureCounters> Stop()
    {
        if (_counters is not null)
        {
            return _counters;
        }
        // Readers still running are abandoned: whatever they hold is not wanted any more.
        _abandoned = true;
        foreach (var reader in _readers)
        {
            reader.Join();
        }
        var counters = new List<CaptureCounters>();
        for (var i = 0; i < _devices.Count; i++)
        {
            if (_atStop[i] is { } atStop)
            {
                counters.Add(atStop);
                continue;
            }
            var stats = PcapCounters.Read(_devices[i].Handle);
            counters.Add(new CaptureCounters(i, stats.Received, stats.Dropped, stats.InterfaceDropped, _read[i]));
        }
        _channel.Writer.TryComplete();
        _counters = counters;
        return counters;
    }

    public void Dispose()
    {
        Stop();
        foreach (var device in _devices)
        {
            device.Dispose();
        }
    }
}

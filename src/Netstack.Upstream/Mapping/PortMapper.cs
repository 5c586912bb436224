using System.Net;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Netstack.Upstream.Pcp;
using Netstack.Upstream.Upnp;

namespace Netstack.Upstream.Mapping;

/// <summary>
/// Keeps the router's port mappings in line with the published ports of the owners (containers)
/// that asked for them: maps new ones, renews each at half its lease, makes them again when the
/// router forgot them (epoch reset, missing UPnP entry), removes withdrawn ones, and removes what
/// an earlier daemon left (the state file; UPnP entries by their description). All router traffic
/// happens in <see cref="RunOnceAsync"/>, one step at a time, so callers (a container start) never
/// wait on the router: <see cref="Publish"/> and <see cref="Withdraw"/> only record the wish.
/// With the mode off nothing is ever sent.
/// </summary>
public sealed class PortMapper : IDisposable
{
    /// <summary>Every description starts with this: how leftovers are recognised on a UPnP router.</summary>
    public const string DescriptionPrefix = "netstack ";

    private readonly PortMapperOptions _options;
    private readonly Func<CancellationToken, Task<UpstreamDiscovery.Result>> _discover;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Lock _lock = new();
    private readonly List<Entry> _entries = [];
    private readonly List<MappingRecord> _leftovers = [];
    private readonly SemaphoreSlim _wake = new(0);

    private IPortMappingClient? _client;
    private IPAddress? _externalAddress;
    private IReadOnlyList<string> _attempts = [];
    private string? _error;
    private DateTimeOffset _nextDiscovery = DateTimeOffset.MinValue;
    private bool _discoveredOnce;
    private bool _warned;
    private bool _swept;

    public PortMapper(PortMapperOptions options, Func<CancellationToken, Task<UpstreamDiscovery.Result>> discover, TimeProvider? time = null, ILogger? logger = null)
    {
        _options = options ?? throw new ArgumentNullException(nameof(options));
        _discover = discover ?? throw new ArgumentNullException(nameof(discover));
        _time = time ?? TimeProvider.System;
        _logger = logger ?? NullLogger.Instance;
    }

    public bool Enabled => _options.Mode != UpstreamMode.Off;

    public PortMapperOptions Options => _options;

    /// <summary>Reads the mappings an earlier daemon made; those no owner claims are removed by <see cref="RunOnceAsync"/>.</summary>
    public void LoadLeftovers()
    {
        if (!Enabled)
        {
            return;
        }
        var records = MapperStateFile.Load(_options.StateFile);
        lock (_lock)
        {
            _leftovers.AddRange(records);
            foreach (var entry in _entries)
            {
                Adopt(entry);
            }
        }
        Wake();
    }

    /// <summary>Asks for the owner's ports to be mapped (replacing what it asked before). Returns at once.</summary>
    public void Publish(string ownerId, string ownerName, IReadOnlyList<PublishedPort> ports, ConflictPolicy? conflict = null)
    {
        ArgumentNullException.ThrowIfNull(ports);
        if (!Enabled)
        {
            return;
        }
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            foreach (var port in ports.DistinctBy(p => (p.Transport, p.HostPort)))
            {
                var existing = _entries.Find(e => e.OwnerId == ownerId && e.Transport == port.Transport && e.InternalPort == port.HostPort && !e.Withdrawn);
                if (existing is not null)
                {
                    continue;
                }
                var entry = new Entry
                {
                    OwnerId = ownerId,
                    OwnerName = ownerName,
                    Transport = port.Transport,
                    ContainerPort = port.ContainerPort,
                    InternalPort = port.HostPort,
                    WantedExternal = port.HostPort,
                    Conflict = conflict ?? _options.Conflict,
                    Nonce = PcpClient.NewNonce(),
                    Due = now,
                };
                Adopt(entry);
                _entries.Add(entry);
            }
        }
        Wake();
    }

    /// <summary>Asks for the owner's mappings to be removed. Returns at once.</summary>
    public void Withdraw(string ownerId)
    {
        if (!Enabled)
        {
            return;
        }
        lock (_lock)
        {
            foreach (var entry in _entries.Where(e => e.OwnerId == ownerId))
            {
                entry.Withdrawn = true;
            }
        }
        Wake();
    }

    public IReadOnlyList<MappingView> MappingsOf(string ownerId)
    {
        lock (_lock)
        {
            return _entries.Where(e => e.OwnerId == ownerId && !e.Withdrawn).Select(View).ToList();
        }
    }

    public MapperStatus Status()
    {
        lock (_lock)
        {
            return new MapperStatus
            {
                Mode = _options.Mode,
                State = !Enabled ? "off" : _client is not null ? "ready" : _discoveredOnce ? "no-router" : "idle",
                Gateway = _client?.Router,
                LocalAddress = _client?.LocalAddress,
                Protocol = _client?.Protocol,
                ControlUrl = (_client as UpnpClient)?.Service.ControlUrl.ToString(),
                ExternalAddress = _externalAddress,
                Error = _error,
                Attempts = _attempts,
                Mappings = _entries.Where(e => !e.Withdrawn).Select(View).ToList(),
                Leftovers = _leftovers.Count,
            };
        }
    }

    /// <summary>
    /// Runs the background loop until <paramref name="stopping"/>: a step, then sleep until the next
    /// thing is due or someone publishes or withdraws.
    /// </summary>
    public async Task RunAsync(CancellationToken stopping)
    {
        if (!Enabled)
        {
            return;
        }
        while (!stopping.IsCancellationRequested)
        {
            TimeSpan? next;
            try
            {
                next = await RunOnceAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }
#pragma warning disable CA1031 // the loop must survive anything one step throws; the error is kept and logged
            catch (Exception e)
#pragma warning restore CA1031
            {
                _logger.LogError(e, "upstream port mapping step failed");
                next = _options.RetryMin;
            }
            try
            {
                if (next is { } delay)
                {
                    using var sleep = CancellationTokenSource.CreateLinkedTokenSource(stopping);
                    var woken = _wake.WaitAsync(sleep.Token);
                    var timer = Task.Delay(delay < TimeSpan.Zero ? TimeSpan.Zero : delay, _time, sleep.Token);
                    await Task.WhenAny(woken, timer).ConfigureAwait(false);
                    await sleep.CancelAsync().ConfigureAwait(false);
                    stopping.ThrowIfCancellationRequested();
                }
                else
                {
                    await _wake.WaitAsync(stopping).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>
    /// One step: discover the router if needed, remove leftovers and withdrawn mappings, map or renew
    /// what is due. Returns how long until something is due again (null: nothing until a wake-up).
    /// </summary>
    public async Task<TimeSpan?> RunOnceAsync(CancellationToken cancellationToken)
    {
        if (!Enabled)
        {
            return null;
        }
        var now = _time.GetUtcNow();
        bool work;
        lock (_lock)
        {
            work = _leftovers.Count > 0 || _entries.Count > 0;
        }
        if (_client is null)
        {
            if (_discoveredOnce && !work)
            {
                return null;
            }
            if (now < _nextDiscovery)
            {
                return _nextDiscovery - now;
            }
            if (!await DiscoverAsync(cancellationToken).ConfigureAwait(false))
            {
                _nextDiscovery = _time.GetUtcNow() + _options.RediscoverAfter;
                return work ? _options.RediscoverAfter : null;
            }
        }
        var client = _client!;

        await RemoveLeftoversAsync(client, cancellationToken).ConfigureAwait(false);
        await RemoveWithdrawnAsync(client, cancellationToken).ConfigureAwait(false);

        List<Entry> due;
        lock (_lock)
        {
            due = _entries.Where(e => !e.Withdrawn && e.Due <= now).ToList();
        }
        var lostState = false;
        foreach (var entry in due)
        {
            lostState |= await MapAsync(client, entry, cancellationToken).ConfigureAwait(false);
            if (_client is null)
            {
                break;
            }
        }
        if (lostState)
        {
            // The router restarted: everything it had from us is gone, not only the mapping that noticed.
            lock (_lock)
            {
                foreach (var entry in _entries.Where(e => e.State == MappingState.Mapped && !due.Contains(e)))
                {
                    entry.Due = now;
                    entry.Recreated++;
                }
            }
            _logger.LogWarning("upstream router {Router} restarted (its epoch began again): making every mapping again", client.Router);
            return TimeSpan.Zero;
        }
        lock (_lock)
        {
            var pending = _entries.Where(e => !e.Withdrawn).Select(e => e.Due).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
            if (_entries.Exists(e => e.Withdrawn) || _leftovers.Count > 0)
            {
                return _options.RetryMin;
            }
            return pending == DateTimeOffset.MaxValue ? null : pending - _time.GetUtcNow();
        }
    }

    /// <summary>Removes every mapping (daemon stop). What cannot be removed stays in the state file for the next start.</summary>
    public async Task UnmapAllAsync(CancellationToken cancellationToken)
    {
        if (!Enabled || _client is not { } client)
        {
            return;
        }
        List<Entry> all;
        lock (_lock)
        {
            all = _entries.Where(e => e.ExternalPort is not null).ToList();
        }
        foreach (var entry in all)
        {
            try
            {
                await client.UnmapAsync(RequestOf(entry, entry.ExternalPort!.Value), entry.ExternalPort!.Value, cancellationToken).ConfigureAwait(false);
                lock (_lock)
                {
                    _entries.Remove(entry);
                }
                _logger.LogInformation("upstream mapping {External}/{Transport} of {Owner} removed", entry.ExternalPort, UpstreamNames.Of(entry.Transport), entry.OwnerName);
            }
            catch (Exception e) when (e is PortMappingException or OperationCanceledException or System.Net.Sockets.SocketException)
            {
                _logger.LogWarning("upstream mapping {External}/{Transport} of {Owner} not removed: {Error}; the next start removes it", entry.ExternalPort, UpstreamNames.Of(entry.Transport), entry.OwnerName, e.Message);
                if (e is OperationCanceledException)
                {
                    break;
                }
            }
        }
        Save();
    }

    public void Dispose()
    {
        _client?.Dispose();
        _wake.Dispose();
    }

    private void Wake()
    {
        if (_wake.CurrentCount == 0)
        {
            _wake.Release();
        }
    }

    private async Task<bool> DiscoverAsync(CancellationToken cancellationToken)
    {
        UpstreamDiscovery.Result result;
        try
        {
            result = await _discover(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is System.Net.Sockets.SocketException or PortMappingException or InvalidOperationException)
        {
            result = new UpstreamDiscovery.Result(null, [e.Message]);
        }
        _discoveredOnce = true;
        _attempts = result.Attempts;
        if (result.Client is not { } client)
        {
            _error = "no router answered: " + string.Join("; ", result.Attempts);
            if (!_warned)
            {
                // Once: a server without a router (the usual case) must not fill the log every half minute.
                _warned = true;
                _logger.LogWarning("upstream port mapping is on (--upstream-portmap {Mode}) but {Error}; published ports are not mapped on any router", PortMapperOptions.Name(_options.Mode), _error);
            }
            lock (_lock)
            {
                foreach (var entry in _entries.Where(e => e.State != MappingState.Mapped))
                {
                    entry.Error = _error;
                }
            }
            return false;
        }
        _client = client;
        _warned = false;
        _error = null;
        try
        {
            _externalAddress = await client.GetExternalAddressAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (PortMappingException e)
        {
            _externalAddress = null;
            _logger.LogWarning("upstream router {Router} ({Protocol}) did not tell its external address: {Error}", client.Router, UpstreamNames.Of(client.Protocol), e.Message);
        }
        _logger.LogInformation("upstream router {Router} speaks {Protocol}; external address {External}", client.Router, UpstreamNames.Of(client.Protocol), _externalAddress?.ToString() ?? "unknown");
        if (!_swept && client is UpnpClient upnp)
        {
            _swept = true;
            await SweepUpnpAsync(upnp, cancellationToken).ConfigureAwait(false);
        }
        return true;
    }

    /// <summary>
    /// Removes UPnP mappings to this host whose description names netstack and that no owner claims:
    /// what a daemon killed with -9 left when even its state file is gone.
    /// </summary>
    private async Task SweepUpnpAsync(UpnpClient upnp, CancellationToken cancellationToken)
    {
        IReadOnlyList<UpnpMappingEntry> listed;
        try
        {
            listed = await upnp.ListAsync(256, cancellationToken).ConfigureAwait(false);
        }
        catch (PortMappingException e)
        {
            _logger.LogWarning("upstream router {Router} did not list its mappings: {Error}", upnp.Router, e.Message);
            return;
        }
        foreach (var found in listed)
        {
            if (!found.Description.StartsWith(DescriptionPrefix, StringComparison.Ordinal) || found.InternalClient != upnp.LocalAddress.ToString())
            {
                continue;
            }
            bool claimed;
            lock (_lock)
            {
                claimed = _entries.Exists(e => e.Transport == found.Transport && (e.ExternalPort ?? e.WantedExternal) == found.ExternalPort && e.InternalPort == found.InternalPort && !e.Withdrawn);
            }
            if (claimed)
            {
                continue;
            }
            try
            {
                await upnp.UnmapAsync(new MappingRequest { Transport = found.Transport, InternalPort = found.InternalPort, ExternalPort = found.ExternalPort, Lifetime = TimeSpan.Zero }, found.ExternalPort, cancellationToken).ConfigureAwait(false);
                _logger.LogInformation("upstream leftover {External}/{Transport} ('{Description}') removed", found.ExternalPort, UpstreamNames.Of(found.Transport), found.Description);
            }
            catch (PortMappingException e)
            {
                _logger.LogWarning("upstream leftover {External}/{Transport} not removed: {Error}", found.ExternalPort, UpstreamNames.Of(found.Transport), e.Message);
            }
        }
    }

    private async Task RemoveLeftoversAsync(IPortMappingClient client, CancellationToken cancellationToken)
    {
        List<MappingRecord> leftovers;
        lock (_lock)
        {
            leftovers = [.. _leftovers];
        }
        foreach (var record in leftovers)
        {
            var transport = record.Transport == "udp" ? MappingTransport.Udp : MappingTransport.Tcp;
            if (record.Protocol == UpstreamNames.Of(client.Protocol))
            {
                try
                {
                    var request = new MappingRequest
                    {
                        Transport = transport,
                        InternalPort = record.InternalPort,
                        ExternalPort = record.ExternalPort,
                        Lifetime = TimeSpan.Zero,
                        Nonce = record.Nonce is null ? ReadOnlyMemory<byte>.Empty : Convert.FromBase64String(record.Nonce),
                    };
                    await client.UnmapAsync(request, record.ExternalPort, cancellationToken).ConfigureAwait(false);
                    _logger.LogInformation("upstream leftover {External}/{Transport} of {Owner} removed", record.ExternalPort, record.Transport, record.OwnerName);
                }
                catch (Exception e) when (e is PortMappingException or FormatException or ArgumentException)
                {
                    _logger.LogWarning("upstream leftover {External}/{Transport} of {Owner} not removed: {Error}", record.ExternalPort, record.Transport, record.OwnerName, e.Message);
                }
            }
            lock (_lock)
            {
                _leftovers.Remove(record);
            }
        }
        if (leftovers.Count > 0)
        {
            Save();
        }
    }

    private async Task RemoveWithdrawnAsync(IPortMappingClient client, CancellationToken cancellationToken)
    {
        List<Entry> withdrawn;
        lock (_lock)
        {
            withdrawn = _entries.Where(e => e.Withdrawn).ToList();
        }
        foreach (var entry in withdrawn)
        {
            if (entry.ExternalPort is { } external)
            {
                try
                {
                    await client.UnmapAsync(RequestOf(entry, external), external, cancellationToken).ConfigureAwait(false);
                    _logger.LogInformation("upstream mapping {External}/{Transport} of {Owner} removed", external, UpstreamNames.Of(entry.Transport), entry.OwnerName);
                }
                catch (PortMappingException e)
                {
                    entry.Failures++;
                    if (entry.Failures < 3)
                    {
                        // Kept for another try; after three the lease runs out by itself (and the state file still has it).
                        continue;
                    }
                    _logger.LogWarning("upstream mapping {External}/{Transport} of {Owner} not removed: {Error}", external, UpstreamNames.Of(entry.Transport), entry.OwnerName, e.Message);
                }
            }
            lock (_lock)
            {
                _entries.Remove(entry);
            }
        }
        if (withdrawn.Count > 0)
        {
            Save();
        }
    }

    /// <returns>True when the router's answer shows it lost its state.</returns>
    private async Task<bool> MapAsync(IPortMappingClient client, Entry entry, CancellationToken cancellationToken)
    {
        var wasMapped = entry.State == MappingState.Mapped;
        for (var tries = 0; ; tries++)
        {
            var external = entry.ExternalPort ?? entry.WantedExternal;
            var request = RequestOf(entry, external);
            try
            {
                if (wasMapped && client is UpnpClient upnp && await upnp.GetSpecificEntryAsync(external, entry.Transport, cancellationToken).ConfigureAwait(false) is null)
                {
                    // The router forgot it (restarted without its leases): AddPortMapping below makes it again.
                    entry.Recreated++;
                    _logger.LogWarning("upstream router {Router} lost mapping {External}/{Transport} of {Owner}: making it again", client.Router, external, UpstreamNames.Of(entry.Transport), entry.OwnerName);
                }
                var granted = await client.MapAsync(request, cancellationToken).ConfigureAwait(false);
                if (granted.ExternalPort != external && entry.Conflict == ConflictPolicy.Fail)
                {
                    await client.UnmapAsync(request, granted.ExternalPort, cancellationToken).ConfigureAwait(false);
                    throw new PortMappingException(client.Protocol, PortMappingFailure.Conflict, $"the router offered external port {granted.ExternalPort} instead of {external}");
                }
                var now = _time.GetUtcNow();
                var lease = granted.Lifetime > TimeSpan.Zero ? granted.Lifetime : _options.Lease;
                lock (_lock)
                {
                    if (wasMapped)
                    {
                        entry.Renewals++;
                        if (granted.RouterLostState)
                        {
                            entry.Recreated++;
                        }
                    }
                    entry.State = MappingState.Mapped;
                    entry.Protocol = client.Protocol;
                    entry.ExternalPort = granted.ExternalPort;
                    entry.ExternalAddress = granted.ExternalAddress ?? _externalAddress;
                    entry.LeaseEnds = granted.Lifetime > TimeSpan.Zero ? now + granted.Lifetime : null;
                    // Renew at half the lease granted (RFC 6886 section 3.3 suggests this), so one lost renewal still leaves time.
                    entry.Due = now + (lease / 2);
                    entry.Error = null;
                    entry.Failures = 0;
                }
                if (!wasMapped)
                {
                    _logger.LogInformation("upstream mapping {External}/{Transport} on {Router} ({Protocol}) -> host port {Internal} of {Owner}",
                        granted.ExternalPort, UpstreamNames.Of(entry.Transport), entry.ExternalAddress?.ToString() ?? client.Router.ToString(), UpstreamNames.Of(client.Protocol), entry.InternalPort, entry.OwnerName);
                }
                Save();
                return granted.RouterLostState && wasMapped;
            }
            catch (PortMappingException e) when (e.Failure == PortMappingFailure.Conflict && entry.Conflict == ConflictPolicy.Next && tries + 1 < _options.ConflictTries && external < 65535)
            {
                entry.ExternalPort = null;
                entry.WantedExternal = external + 1;
            }
            catch (PortMappingException e)
            {
                var now = _time.GetUtcNow();
                lock (_lock)
                {
                    entry.Failures++;
                    if (e.Failure == PortMappingFailure.Conflict)
                    {
                        entry.State = MappingState.Failed;
                        entry.ExternalPort = null;
                        entry.Error = $"external port {external}/{UpstreamNames.Of(entry.Transport)} is taken on the router ({e.Message}); publish another host port, or let netstack pick the next free one (label netstack.upstream-portmap.conflict=next)";
                        entry.Due = now + _options.RetryMax;
                    }
                    else
                    {
                        if (entry.State != MappingState.Mapped || entry.LeaseEnds is { } ends && ends <= now)
                        {
                            entry.State = entry.State == MappingState.Mapped ? MappingState.Pending : MappingState.Failed;
                        }
                        entry.Error = e.Message;
                        var backoff = TimeSpan.FromTicks(Math.Min(_options.RetryMax.Ticks, _options.RetryMin.Ticks << Math.Min(entry.Failures - 1, 16)));
                        entry.Due = now + backoff;
                    }
                }
                _logger.LogWarning("upstream mapping {External}/{Transport} of {Owner} failed: {Error}", external, UpstreamNames.Of(entry.Transport), entry.OwnerName, e.Message);
                if (e.Failure is PortMappingFailure.Timeout or PortMappingFailure.Unsupported && entry.Failures >= 2)
                {
                    // The router stopped answering, or changed: find it (and its protocol) again.
                    _client = null;
                    _nextDiscovery = now;
                    client.Dispose();
                }
                return false;
            }
        }
    }

    private MappingRequest RequestOf(Entry entry, int external) => new()
    {
        Transport = entry.Transport,
        InternalPort = entry.InternalPort,
        ExternalPort = external,
        Lifetime = _options.Lease,
        Description = Description(entry),
        Nonce = entry.Nonce,
    };

    /// <summary><c>netstack NAME ID12 PORT/PROTO</c>: names the container so a person reading the router's table knows it.</summary>
    public static string Description(string ownerName, string ownerId, int containerPort, MappingTransport transport) =>
        $"{DescriptionPrefix}{ownerName} {ownerId[..Math.Min(12, ownerId.Length)]} {containerPort}/{UpstreamNames.Of(transport)}";

    private static string Description(Entry entry) => Description(entry.OwnerName, entry.OwnerId, entry.ContainerPort, entry.Transport);

    /// <summary>A leftover of this owner and port is taken over (same external port and nonce) instead of removed.</summary>
    private void Adopt(Entry entry)
    {
        var record = _leftovers.Find(r => r.OwnerId == entry.OwnerId && r.InternalPort == entry.InternalPort && r.Transport == UpstreamNames.Of(entry.Transport));
        if (record is null)
        {
            return;
        }
        _leftovers.Remove(record);
        entry.ExternalPort = record.ExternalPort;
        entry.WantedExternal = record.ExternalPort;
        if (record.Nonce is { } nonce)
        {
            try
            {
                entry.Nonce = Convert.FromBase64String(nonce);
            }
            catch (FormatException)
            {
                // A new nonce makes a new PCP mapping; the old one runs out.
            }
        }
    }

    private void Save()
    {
        List<MappingRecord> records;
        lock (_lock)
        {
            records = _entries.Where(e => e.ExternalPort is not null && e.Protocol is not null).Select(e => new MappingRecord
            {
                OwnerId = e.OwnerId,
                OwnerName = e.OwnerName,
                Protocol = UpstreamNames.Of(e.Protocol!.Value),
                Transport = UpstreamNames.Of(e.Transport),
                InternalPort = e.InternalPort,
                ExternalPort = e.ExternalPort!.Value,
                Nonce = Convert.ToBase64String(e.Nonce),
                Router = _client?.Router.ToString() ?? "",
            }).Concat(_leftovers).ToList();
        }
        try
        {
            MapperStateFile.Save(_options.StateFile, records);
        }
        catch (IOException e)
        {
            _logger.LogWarning("upstream mappings file {Path} not written: {Error}", _options.StateFile, e.Message);
        }
    }

    private static MappingView View(Entry e) => new()
    {
        OwnerId = e.OwnerId,
        OwnerName = e.OwnerName,
        Transport = e.Transport,
        ContainerPort = e.ContainerPort,
        InternalPort = e.InternalPort,
        State = e.State,
        Protocol = e.Protocol,
        ExternalPort = e.State == MappingState.Mapped ? e.ExternalPort : null,
        ExternalAddress = e.State == MappingState.Mapped ? e.ExternalAddress : null,
        LeaseEnds = e.LeaseEnds,
        Error = e.Error,
        Renewals = e.Renewals,
        Recreated = e.Recreated,
    };

    private sealed class Entry
    {
        public required string OwnerId { get; init; }

        public required string OwnerName { get; init; }

        public required MappingTransport Transport { get; init; }

        public required int ContainerPort { get; init; }

        public required int InternalPort { get; init; }

        public required int WantedExternal { get; set; }

        public required ConflictPolicy Conflict { get; init; }

        public required byte[] Nonce { get; set; }

        public int? ExternalPort { get; set; }

        public IPAddress? ExternalAddress { get; set; }

        public UpstreamProtocol? Protocol { get; set; }

        public MappingState State { get; set; } = MappingState.Pending;

        public DateTimeOffset Due { get; set; }

        public DateTimeOffset? LeaseEnds { get; set; }

        public string? Error { get; set; }

        public int Failures { get; set; }

        public bool Withdrawn { get; set; }

        public int Renewals { get; set; }

        public int Recreated { get; set; }
    }
}

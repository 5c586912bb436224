using System.Globalization;
using System.Net;

namespace Netstack.Upstream.Upnp;

/// <summary>A port mapping as an IGD lists it (<c>GetGenericPortMappingEntry</c>).</summary>
public sealed record UpnpMappingEntry(int ExternalPort, MappingTransport Transport, int InternalPort, string InternalClient, string Description, TimeSpan Lease);

/// <summary>
/// UPnP IGD control of one WANIPConnection / WANPPPConnection service: <c>GetExternalIPAddress</c>,
/// <c>AddPortMapping</c>, <c>DeletePortMapping</c>, <c>GetSpecificPortMappingEntry</c> and
/// <c>GetGenericPortMappingEntry</c> (IGD 1 and 2 share these). Every action is one bounded HTTP
/// exchange; a SOAP fault becomes a <see cref="PortMappingException"/> with the UPnP error code.
/// </summary>
public sealed class UpnpClient : IPortMappingClient
{
    /// <summary>UPnP errors netstack acts on (WANIPConnection:1 and :2 service descriptions).</summary>
    public const int NoSuchEntryInArray = 714;
    public const int SpecifiedArrayIndexInvalid = 713;
    public const int ConflictInMappingEntry = 718;
    public const int OnlyPermanentLeasesSupported = 725;
    public const int NoPortMapsAvailable = 728;
    public const int ConflictWithOtherMechanisms = 729;

    private readonly BoundedHttp _http;

    public UpnpClient(IgdService service, IPAddress localAddress, TimeSpan? timeout = null)
    {
        ArgumentNullException.ThrowIfNull(service);
        Service = service;
        LocalAddress = localAddress;
        Router = IPAddress.Parse(service.ControlUrl.Host);
        _http = new BoundedHttp(timeout ?? TimeSpan.FromSeconds(5));
    }

    public IgdService Service { get; }

    public UpstreamProtocol Protocol => UpstreamProtocol.Upnp;

    public IPAddress Router { get; }

    public IPAddress LocalAddress { get; }

    /// <summary>
    /// True once the router refused a lease (error 725): it keeps mappings until deleted, so netstack
    /// asks for permanent ones and relies on deleting them itself (and on the leftover sweep).
    /// </summary>
    public bool PermanentLeasesOnly { get; private set; }

    /// <summary>
    /// Finds an IGD on the LAN: SSDP from <paramref name="localAddress"/>, then the first answering
    /// device's description (the gateway's own answer first). Null when nobody answered.
    /// </summary>
    /// <exception cref="PortMappingException">Devices answered, but no description was usable (each reason named).</exception>
    public static async Task<UpnpClient?> DiscoverAsync(IPAddress localAddress, IPAddress? gateway, TimeSpan wait, TimeSpan httpTimeout, CancellationToken cancellationToken, IPEndPoint? searchTarget = null)
    {
        var answers = await Ssdp.SearchAsync(localAddress, wait, cancellationToken, searchTarget).ConfigureAwait(false);
        if (answers.Count == 0)
        {
            return null;
        }
        var errors = new List<string>();
        using var http = new BoundedHttp(httpTimeout);
        foreach (var answer in answers.OrderBy(a => gateway is not null && a.From.Equals(gateway) ? 0 : 1))
        {
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, answer.Location);
                var (status, body) = await http.SendAsync(request, DeviceDescription.MaxBytes, cancellationToken).ConfigureAwait(false);
                if (status != HttpStatusCode.OK)
                {
                    errors.Add($"{answer.Location} answered HTTP {(int)status}");
                    continue;
                }
                return new UpnpClient(DeviceDescription.Parse(body, answer.Location), localAddress, httpTimeout);
            }
            catch (Exception e) when (e is FormatException or HttpRequestException or TimeoutException)
            {
                errors.Add(e.Message);
            }
        }
        throw new PortMappingException(UpstreamProtocol.Upnp, PortMappingFailure.Malformed, "devices answered the SSDP search but none is a usable gateway: " + string.Join("; ", errors));
    }

    public async Task<IPAddress> GetExternalAddressAsync(CancellationToken cancellationToken)
    {
        var values = await InvokeAsync("GetExternalIPAddress", [], cancellationToken).ConfigureAwait(false);
        var text = values.GetValueOrDefault("NewExternalIPAddress", string.Empty).Trim();
        return IPAddress.TryParse(text, out var address)
            ? address
            : throw new PortMappingException(Protocol, PortMappingFailure.Malformed, $"GetExternalIPAddress answered '{Clip(text)}', not an IP address");
    }

    public async Task<GrantedMapping> MapAsync(MappingRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lease = PermanentLeasesOnly ? TimeSpan.Zero : request.Lifetime;
        try
        {
            await AddAsync(request, lease, cancellationToken).ConfigureAwait(false);
        }
        catch (PortMappingException e) when (e.RouterCode == OnlyPermanentLeasesSupported && lease != TimeSpan.Zero)
        {
            PermanentLeasesOnly = true;
            lease = TimeSpan.Zero;
            await AddAsync(request, lease, cancellationToken).ConfigureAwait(false);
        }
        return new GrantedMapping
        {
            Transport = request.Transport,
            InternalPort = request.InternalPort,
            ExternalPort = request.ExternalPort,
            Lifetime = lease,
        };
    }

    public async Task UnmapAsync(MappingRequest request, int externalPort, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        try
        {
            await InvokeAsync("DeletePortMapping",
            [
                ("NewRemoteHost", string.Empty),
                ("NewExternalPort", externalPort.ToString(CultureInfo.InvariantCulture)),
                ("NewProtocol", Name(request.Transport)),
            ], cancellationToken).ConfigureAwait(false);
        }
        catch (PortMappingException e) when (e.RouterCode == NoSuchEntryInArray)
        {
            // Gone already (expired, or the router restarted): what we wanted.
        }
    }

    /// <summary>The router's entry for an external port, or null when it has none (error 714).</summary>
    public async Task<UpnpMappingEntry?> GetSpecificEntryAsync(int externalPort, MappingTransport transport, CancellationToken cancellationToken)
    {
        try
        {
            var values = await InvokeAsync("GetSpecificPortMappingEntry",
            [
                ("NewRemoteHost", string.Empty),
                ("NewExternalPort", externalPort.ToString(CultureInfo.InvariantCulture)),
                ("NewProtocol", Name(transport)),
            ], cancellationToken).ConfigureAwait(false);
            return new UpnpMappingEntry(externalPort, transport, Port(values, "NewInternalPort"), values.GetValueOrDefault("NewInternalClient", string.Empty),
                values.GetValueOrDefault("NewPortMappingDescription", string.Empty), TimeSpan.FromSeconds(Number(values, "NewLeaseDuration")));
        }
        catch (PortMappingException e) when (e.RouterCode == NoSuchEntryInArray)
        {
            return null;
        }
    }

    /// <summary>The router's mappings, at most <paramref name="limit"/> (index by index until error 713/714).</summary>
    public async Task<IReadOnlyList<UpnpMappingEntry>> ListAsync(int limit, CancellationToken cancellationToken)
    {
        var entries = new List<UpnpMappingEntry>();
        for (var index = 0; index < limit; index++)
        {
            Dictionary<string, string> values;
            try
            {
                values = await InvokeAsync("GetGenericPortMappingEntry", [("NewPortMappingIndex", index.ToString(CultureInfo.InvariantCulture))], cancellationToken).ConfigureAwait(false);
            }
            catch (PortMappingException e) when (e.RouterCode is SpecifiedArrayIndexInvalid or NoSuchEntryInArray)
            {
                break;
            }
            var protocol = values.GetValueOrDefault("NewProtocol", string.Empty).Trim();
            var transport = protocol.Equals("UDP", StringComparison.OrdinalIgnoreCase) ? MappingTransport.Udp
                : protocol.Equals("TCP", StringComparison.OrdinalIgnoreCase) ? MappingTransport.Tcp
                : throw new PortMappingException(Protocol, PortMappingFailure.Malformed, $"GetGenericPortMappingEntry {index} has protocol '{Clip(protocol)}'");
            entries.Add(new UpnpMappingEntry(Port(values, "NewExternalPort"), transport, Port(values, "NewInternalPort"),
                values.GetValueOrDefault("NewInternalClient", string.Empty), values.GetValueOrDefault("NewPortMappingDescription", string.Empty),
                TimeSpan.FromSeconds(Number(values, "NewLeaseDuration"))));
        }
        return entries;
    }

    public void Dispose() => _http.Dispose();

    private Task AddAsync(MappingRequest request, TimeSpan lease, CancellationToken cancellationToken) =>
        InvokeAsync("AddPortMapping",
        [
            ("NewRemoteHost", string.Empty),
            ("NewExternalPort", request.ExternalPort.ToString(CultureInfo.InvariantCulture)),
            ("NewProtocol", Name(request.Transport)),
            ("NewInternalPort", request.InternalPort.ToString(CultureInfo.InvariantCulture)),
            ("NewInternalClient", LocalAddress.ToString()),
            ("NewEnabled", "1"),
            ("NewPortMappingDescription", request.Description),
            ("NewLeaseDuration", ((long)lease.TotalSeconds).ToString(CultureInfo.InvariantCulture)),
        ], cancellationToken);

    private async Task<Dictionary<string, string>> InvokeAsync(string action, IReadOnlyList<(string, string)> arguments, CancellationToken cancellationToken)
    {
        var envelope = Soap.Envelope(Service.ServiceType, action, arguments);
        string body;
        HttpStatusCode status;
        try
        {
            using var request = BoundedHttp.Soap(Service.ControlUrl, Service.ServiceType, action, envelope);
            (status, body) = await _http.SendAsync(request, Soap.MaxBytes, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException e)
        {
            throw new PortMappingException(Protocol, PortMappingFailure.Timeout, $"{action}: {e.Message}", e);
        }
        catch (HttpRequestException e)
        {
            throw new PortMappingException(Protocol, PortMappingFailure.Malformed, $"{action} at {Service.ControlUrl}: {e.Message}", e);
        }
        (Dictionary<string, string>? Values, UpnpError? Error) parsed;
        try
        {
            parsed = Soap.ParseResponse(body, action);
        }
        catch (FormatException e)
        {
            throw new PortMappingException(Protocol, PortMappingFailure.Malformed, $"{action} at {Service.ControlUrl} (HTTP {(int)status}): {e.Message}", e);
        }
        if (parsed.Error is { } error)
        {
            var failure = error.Code switch
            {
                ConflictInMappingEntry or ConflictWithOtherMechanisms => PortMappingFailure.Conflict,
                401 or 602 => PortMappingFailure.Unsupported,
                _ => PortMappingFailure.Refused,
            };
            throw new PortMappingException(Protocol, failure, $"{action} failed with UPnP error {error.Code} {error.Description}") { RouterCode = error.Code };
        }
        if (status != HttpStatusCode.OK)
        {
            throw new PortMappingException(Protocol, PortMappingFailure.Malformed, $"{action} answered HTTP {(int)status} without a UPnP error");
        }
        return parsed.Values!;
    }

    private static string Name(MappingTransport transport) => transport == MappingTransport.Udp ? "UDP" : "TCP";

    private int Port(Dictionary<string, string> values, string name)
    {
        var n = Number(values, name);
        return n is >= 1 and <= 65535 ? (int)n : throw new PortMappingException(Protocol, PortMappingFailure.Malformed, $"{name} is {n}, not a port");
    }

    private long Number(Dictionary<string, string> values, string name)
    {
        var text = values.GetValueOrDefault(name, string.Empty).Trim();
        return long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= uint.MaxValue
            ? n
            : throw new PortMappingException(Protocol, PortMappingFailure.Malformed, $"{name} is '{Clip(text)}', not a number");
    }

    private static string Clip(string text) => text.Length <= 60 ? text : text[..60] + "...";
}

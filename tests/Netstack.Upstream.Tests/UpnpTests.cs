using System.Net;
using System.Text;
using Netstack.Upstream.Upnp;
using Xunit;

namespace Netstack.Upstream.Tests;

public sealed class UpnpTests
{
    private const string Service = "urn:schemas-upnp-org:service:WANIPConnection:1";

    // The shape of miniupnpd's rootDesc.xml, trimmed: the connection service sits two devices deep.
    internal const string Description = """
        <?xml version="1.0"?>
        <root xmlns="urn:schemas-upnp-org:device-1-0"><specVersion><major>1</major><minor>1</minor></specVersion>
        <device><deviceType>urn:schemas-upnp-org:device:InternetGatewayDevice:1</deviceType>
        <serviceList><service><serviceType>urn:schemas-upnp-org:service:Layer3Forwarding:1</serviceType><controlURL>/ctl/L3F</controlURL></service></serviceList>
        <deviceList><device><deviceType>urn:schemas-upnp-org:device:WANDevice:1</deviceType>
        <deviceList><device><deviceType>urn:schemas-upnp-org:device:WANConnectionDevice:1</deviceType>
        <serviceList><service><serviceType>urn:schemas-upnp-org:service:WANIPConnection:1</serviceType><serviceId>urn:upnp-org:serviceId:WANIPConn1</serviceId><controlURL>/ctl/IPConn</controlURL><eventSubURL>/evt/IPConn</eventSubURL><SCPDURL>/WANIPCn.xml</SCPDURL></service></serviceList>
        </device></deviceList></device></deviceList></device></root>
        """;

    [Fact]
    public void SearchRequest_IsTheSsdpMSearch()
    {
        var text = Encoding.ASCII.GetString(Ssdp.SearchRequest("urn:schemas-upnp-org:device:InternetGatewayDevice:1", 2));
        Assert.Equal("M-SEARCH * HTTP/1.1\r\nHOST: 239.255.255.250:1900\r\nMAN: \"ssdp:discover\"\r\nMX: 2\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\r\n", text);
    }

    private static readonly IPAddress Router = IPAddress.Parse("10.77.0.1");

    [Fact]
    public void ParseAnswer_Valid_GivesLocation()
    {
        var answer = Encoding.ASCII.GetBytes("HTTP/1.1 200 OK\r\nCACHE-CONTROL: max-age=120\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nUSN: uuid:x::urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nEXT:\r\nSERVER: Debian UPnP/1.1 MiniUPnPd/2.3.1\r\nLOCATION: http://10.77.0.1:5000/rootDesc.xml\r\n\r\n");
        var parsed = Ssdp.ParseAnswer(answer, Router);
        Assert.Equal(new Uri("http://10.77.0.1:5000/rootDesc.xml"), parsed!.Location);
    }

    [Theory]
    [InlineData("HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nLOCATION: http://192.0.2.9:80/desc.xml\r\n\r\n")] // another host
    [InlineData("HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nLOCATION: file:///etc/passwd\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:MediaServer:1\r\nLOCATION: http://10.77.0.1:5000/d.xml\r\n\r\n")] // not a gateway
    [InlineData("NOTIFY * HTTP/1.1\r\nNT: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nLOCATION: http://10.77.0.1:5000/d.xml\r\n\r\n")]
    [InlineData("HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nLOCATION http://10.77.0.1:5000/d.xml\r\n\r\n")] // no colon
    [InlineData("HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\n\r\n")] // no location
    [InlineData("HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nLOCATION: http://10.77.0.1:5000/d.xml\u0000\r\n\r\n")]
    public void ParseAnswer_Malformed_IsNull(string text) => Assert.Null(Ssdp.ParseAnswer(Encoding.Latin1.GetBytes(text), Router));

    [Fact]
    public void Description_MiniupnpdShape_FindsTheConnectionService()
    {
        var service = DeviceDescription.Parse(Description, new Uri("http://10.77.0.1:5000/rootDesc.xml"));
        Assert.Equal(Service, service.ServiceType);
        Assert.Equal(new Uri("http://10.77.0.1:5000/ctl/IPConn"), service.ControlUrl);
    }

    [Fact]
    public void Description_WithDtd_IsRefused()
    {
        var xml = "<?xml version=\"1.0\"?><!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><root>&x;</root>";
        var e = Assert.Throws<FormatException>(() => DeviceDescription.Parse(xml, new Uri("http://10.77.0.1:5000/d.xml")));
        Assert.Contains("not well-formed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Description_ControlUrlOnAnotherHost_IsRefused()
    {
        var xml = Description.Replace("/ctl/IPConn", "http://192.0.2.7/ctl", StringComparison.Ordinal);
        var e = Assert.Throws<FormatException>(() => DeviceDescription.Parse(xml, new Uri("http://10.77.0.1:5000/d.xml")));
        Assert.Contains("another host", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("<root><device><deviceType>urn:schemas-upnp-org:device:MediaServer:1</deviceType></device></root>", "no WANIPConnection")]
    [InlineData("<root><device><serviceList><service><serviceType>", "not well-formed")]
    [InlineData("\u0001\u0002garbage", "not well-formed")]
    public void Description_NotAGateway_SaysWhy(string xml, string expected)
    {
        var e = Assert.Throws<FormatException>(() => DeviceDescription.Parse(xml, new Uri("http://10.77.0.1:5000/d.xml")));
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Envelope_AddPortMapping_EscapesArgumentsInOrder()
    {
        var xml = Soap.Envelope(Service, "AddPortMapping", [("NewExternalPort", "8080"), ("NewPortMappingDescription", "netstack <a&b>")]);
        Assert.Equal(
            "<?xml version=\"1.0\"?>\r\n<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\"><s:Body>" +
            "<u:AddPortMapping xmlns:u=\"urn:schemas-upnp-org:service:WANIPConnection:1\"><NewExternalPort>8080</NewExternalPort><NewPortMappingDescription>netstack &lt;a&amp;b&gt;</NewPortMappingDescription></u:AddPortMapping></s:Body></s:Envelope>",
            xml);
    }

    internal static string Response(string action, string inner = "") =>
        $"<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><u:{action}Response xmlns:u=\"{Service}\">{inner}</u:{action}Response></s:Body></s:Envelope>";

    internal static string Fault(int code, string description) =>
        "<?xml version=\"1.0\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><s:Fault><faultcode>s:Client</faultcode><faultstring>UPnPError</faultstring>" +
        $"<detail><UPnPError xmlns=\"urn:schemas-upnp-org:control-1-0\"><errorCode>{code}</errorCode><errorDescription>{description}</errorDescription></UPnPError></detail></s:Fault></s:Body></s:Envelope>";

    [Fact]
    public void ParseResponse_ConsecutiveValues_AreAllRead()
    {
        var (values, error) = Soap.ParseResponse(Response("GetSpecificPortMappingEntry", "<NewInternalPort>8080</NewInternalPort><NewInternalClient>10.77.0.2</NewInternalClient><NewEnabled>1</NewEnabled>"), "GetSpecificPortMappingEntry");
        Assert.Null(error);
        Assert.Equal("8080", values!["NewInternalPort"]);
        Assert.Equal("10.77.0.2", values["NewInternalClient"]);
        Assert.Equal("1", values["NewEnabled"]);
    }

    [Fact]
    public void ParseResponse_Fault_GivesCodeAndDescription()
    {
        var (values, error) = Soap.ParseResponse(Fault(718, "ConflictInMappingEntry"), "AddPortMapping");
        Assert.Null(values);
        Assert.Equal(new UpnpError(718, "ConflictInMappingEntry"), error);
    }

    [Fact]
    public void ParseResponse_NeitherAnswerNorFault_IsFormatError()
    {
        Assert.Throws<FormatException>(() => Soap.ParseResponse("<a><b/></a>", "AddPortMapping"));
    }

    private static MappingRequest Tcp8080 => new() { Transport = MappingTransport.Tcp, InternalPort = 8080, ExternalPort = 8080, Lifetime = TimeSpan.FromSeconds(120), Description = "netstack web" };

    private static UpnpClient ClientFor(FakeHttpRouter router, TimeSpan? timeout = null) =>
        new(new IgdService(Service, router.Url("/ctl/IPConn")), IPAddress.Parse("10.77.0.2"), timeout ?? TimeSpan.FromSeconds(2));

    [Fact]
    public async Task Map_SendsTheSoapActionAndArguments()
    {
        using var router = new FakeHttpRouter(_ => FakeHttpRouter.Ok(Response("AddPortMapping")));
        using var client = ClientFor(router);
        var granted = await client.MapAsync(Tcp8080, CancellationToken.None);
        Assert.Equal(8080, granted.ExternalPort);
        var request = Assert.Single(router.Requests);
        Assert.Contains("SOAPAction: \"urn:schemas-upnp-org:service:WANIPConnection:1#AddPortMapping\"", request, StringComparison.Ordinal);
        Assert.Contains("<NewInternalClient>10.77.0.2</NewInternalClient>", request, StringComparison.Ordinal);
        Assert.Contains("<NewLeaseDuration>120</NewLeaseDuration>", request, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Map_Conflict_IsAConflictWithTheCode()
    {
        using var router = new FakeHttpRouter(_ => FakeHttpRouter.Ok(Fault(718, "ConflictInMappingEntry"), 500));
        using var client = ClientFor(router);
        var e = await Assert.ThrowsAsync<PortMappingException>(() => client.MapAsync(Tcp8080, CancellationToken.None));
        Assert.Equal(PortMappingFailure.Conflict, e.Failure);
        Assert.Equal(718, e.RouterCode);
        Assert.Contains("ConflictInMappingEntry", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Map_OnlyPermanentLeases_RetriesWithLeaseZero()
    {
        using var router = new FakeHttpRouter(req => req.Contains("<NewLeaseDuration>0<", StringComparison.Ordinal)
            ? FakeHttpRouter.Ok(Response("AddPortMapping"))
            : FakeHttpRouter.Ok(Fault(725, "OnlyPermanentLeasesSupported"), 500));
        using var client = ClientFor(router);
        var granted = await client.MapAsync(Tcp8080, CancellationToken.None);
        Assert.Equal(TimeSpan.Zero, granted.Lifetime);
        Assert.True(client.PermanentLeasesOnly);
        Assert.Equal(2, router.Requests.Count);
    }

    [Fact]
    public async Task Map_OversizedAnswer_IsRefused()
    {
        var huge = Response("AddPortMapping", "<X>" + new string('a', 100_000) + "</X>");
        using var router = new FakeHttpRouter(_ => FakeHttpRouter.Ok(huge));
        using var client = ClientFor(router);
        var e = await Assert.ThrowsAsync<PortMappingException>(() => client.MapAsync(Tcp8080, CancellationToken.None));
        Assert.Equal(PortMappingFailure.Malformed, e.Failure);
        Assert.Contains("more than", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Map_OversizedChunkedAnswer_IsRefused()
    {
        // No Content-Length: the cap must hold while reading, not only from the header.
        var chunk = new string('a', 8000);
        var body = new StringBuilder("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n");
        for (var i = 0; i < 5; i++)
        {
            body.Append($"{chunk.Length:X}\r\n{chunk}\r\n");
        }
        body.Append("0\r\n\r\n");
        using var router = new FakeHttpRouter(_ => Encoding.ASCII.GetBytes(body.ToString()));
        using var client = ClientFor(router);
        var e = await Assert.ThrowsAsync<PortMappingException>(() => client.MapAsync(Tcp8080, CancellationToken.None));
        Assert.Equal(PortMappingFailure.Malformed, e.Failure);
    }

    [Fact]
    public async Task Map_RouterNeverAnswers_TimesOut()
    {
        using var router = new FakeHttpRouter(_ => null);
        using var client = ClientFor(router, TimeSpan.FromMilliseconds(300));
        var e = await Assert.ThrowsAsync<PortMappingException>(() => client.MapAsync(Tcp8080, CancellationToken.None));
        Assert.Equal(PortMappingFailure.Timeout, e.Failure);
        Assert.Contains("did not answer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Map_NotXml_IsMalformed()
    {
        using var router = new FakeHttpRouter(_ => FakeHttpRouter.Ok("<html>router login</html"));
        using var client = ClientFor(router);
        var e = await Assert.ThrowsAsync<PortMappingException>(() => client.MapAsync(Tcp8080, CancellationToken.None));
        Assert.Equal(PortMappingFailure.Malformed, e.Failure);
    }

    [Fact]
    public async Task Unmap_NoSuchEntry_IsSuccess()
    {
        using var router = new FakeHttpRouter(_ => FakeHttpRouter.Ok(Fault(714, "NoSuchEntryInArray"), 500));
        using var client = ClientFor(router);
        await client.UnmapAsync(Tcp8080, 8080, CancellationToken.None);
        Assert.Contains("#DeletePortMapping", Assert.Single(router.Requests), StringComparison.Ordinal);
    }

    [Fact]
    public async Task GetExternalAddress_NotAnAddress_IsMalformed()
    {
        using var router = new FakeHttpRouter(_ => FakeHttpRouter.Ok(Response("GetExternalIPAddress", "<NewExternalIPAddress>ha</NewExternalIPAddress>")));
        using var client = ClientFor(router);
        var e = await Assert.ThrowsAsync<PortMappingException>(() => client.GetExternalAddressAsync(CancellationToken.None));
        Assert.Contains("'ha'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task List_ReadsEntriesUntilTheIndexIsInvalid()
    {
        using var router = new FakeHttpRouter(req => req.Contains("<NewPortMappingIndex>0<", StringComparison.Ordinal)
            ? FakeHttpRouter.Ok(Response("GetGenericPortMappingEntry", "<NewRemoteHost></NewRemoteHost><NewExternalPort>8080</NewExternalPort><NewProtocol>TCP</NewProtocol><NewInternalPort>8080</NewInternalPort><NewInternalClient>10.77.0.2</NewInternalClient><NewEnabled>1</NewEnabled><NewPortMappingDescription>netstack web abc</NewPortMappingDescription><NewLeaseDuration>100</NewLeaseDuration>"))
            : FakeHttpRouter.Ok(Fault(713, "SpecifiedArrayIndexInvalid"), 500));
        using var client = ClientFor(router);
        var entries = await client.ListAsync(16, CancellationToken.None);
        var entry = Assert.Single(entries);
        Assert.Equal("netstack web abc", entry.Description);
        Assert.Equal(MappingTransport.Tcp, entry.Transport);
    }

    [Fact]
    public async Task Discover_DeviceWithBrokenDescription_SaysSoAndWhy()
    {
        using var http = new FakeHttpRouter(_ => FakeHttpRouter.Ok("<root><device>"));
        using var ssdp = new FakeUdpRouter((_, _) => [Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nLOCATION: http://127.0.0.1:{http.Port}/rootDesc.xml\r\n\r\n")]);
        var e = await Assert.ThrowsAsync<PortMappingException>(() => UpnpClient.DiscoverAsync(IPAddress.Loopback, IPAddress.Loopback, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), CancellationToken.None, new IPEndPoint(IPAddress.Loopback, ssdp.Port)));
        Assert.Contains("not well-formed", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Discover_GoodDevice_GivesItsControlUrl()
    {
        using var http = new FakeHttpRouter(_ => FakeHttpRouter.Ok(Description));
        using var ssdp = new FakeUdpRouter((_, _) => [new byte[3000], Encoding.ASCII.GetBytes($"HTTP/1.1 200 OK\r\nST: urn:schemas-upnp-org:device:InternetGatewayDevice:1\r\nLOCATION: http://127.0.0.1:{http.Port}/rootDesc.xml\r\n\r\n")]);
        using var client = await UpnpClient.DiscoverAsync(IPAddress.Loopback, IPAddress.Loopback, TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2), CancellationToken.None, new IPEndPoint(IPAddress.Loopback, ssdp.Port));
        Assert.Equal(http.Url("/ctl/IPConn"), client!.Service.ControlUrl);
    }

    [Fact]
    public async Task Discover_Silence_IsNull()
    {
        using var ssdp = new FakeUdpRouter((_, _) => []);
        Assert.Null(await UpnpClient.DiscoverAsync(IPAddress.Loopback, IPAddress.Loopback, TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(1), CancellationToken.None, new IPEndPoint(IPAddress.Loopback, ssdp.Port)));
    }
}

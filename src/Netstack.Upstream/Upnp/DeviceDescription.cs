using System.Xml;

namespace Netstack.Upstream.Upnp;

/// <summary>The connection service of an Internet Gateway Device: its type and where to send SOAP.</summary>
public sealed record IgdService(string ServiceType, Uri ControlUrl);

/// <summary>
/// Reads an IGD's device description (UPnP Device Architecture section 2.3) for its WAN connection
/// service: the first <c>service</c> whose <c>serviceType</c> is WANIPConnection (version 2 or 1)
/// or WANPPPConnection:1, and its <c>controlURL</c>, resolved against <c>URLBase</c> or the
/// description's own URL. The XML is read with no DTD, no external entities and a size limit; a
/// control URL on another host than the description's is refused.
/// </summary>
public static class DeviceDescription
{
    /// <summary>Real descriptions are 2 to 8 KiB; 64 KiB leaves room and stops a flood.</summary>
    public const int MaxBytes = 64 * 1024;

    public static readonly string[] ServiceTypes =
    [
        "urn:schemas-upnp-org:service:WANIPConnection:2",
        "urn:schemas-upnp-org:service:WANIPConnection:1",
        "urn:schemas-upnp-org:service:WANPPPConnection:1",
    ];

    /// <exception cref="FormatException">Not XML, no connection service, or a control URL that is not acceptable; the message says which.</exception>
    public static IgdService Parse(string xml, Uri location)
    {
        ArgumentNullException.ThrowIfNull(xml);
        ArgumentNullException.ThrowIfNull(location);
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxBytes,
            IgnoreComments = true,
            IgnoreWhitespace = true,
        };
        string? urlBase = null;
        var found = new List<(string Type, string Control)>();
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            string? type = null;
            string? control = null;
            var inService = false;
            reader.Read();
            // ReadElementContentAsString leaves the reader on the next node: only other nodes advance with Read.
            while (!reader.EOF)
            {
                if (reader.NodeType == XmlNodeType.Element)
                {
                    switch (reader.LocalName)
                    {
                        case "URLBase" when !inService:
                            urlBase = reader.ReadElementContentAsString().Trim();
                            continue;
                        case "serviceType" when inService:
                            type = reader.ReadElementContentAsString().Trim();
                            continue;
                        case "controlURL" when inService:
                            control = reader.ReadElementContentAsString().Trim();
                            continue;
                        case "service":
                            inService = !reader.IsEmptyElement;
                            type = null;
                            control = null;
                            break;
                    }
                }
                else if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == "service")
                {
                    inService = false;
                    if (type is not null && control is not null)
                    {
                        found.Add((type, control));
                    }
                }
                reader.Read();
            }
        }
        catch (XmlException e)
        {
            throw new FormatException($"the device description at {location} is not well-formed XML: {e.Message}", e);
        }
        foreach (var wanted in ServiceTypes)
        {
            var (type, control) = found.Find(f => f.Type.Equals(wanted, StringComparison.Ordinal));
            if (type is null)
            {
                continue;
            }
            var baseUri = location;
            if (!string.IsNullOrEmpty(urlBase) && Uri.TryCreate(urlBase, UriKind.Absolute, out var declared))
            {
                baseUri = declared;
            }
            if (!Uri.TryCreate(baseUri, control, out var controlUrl) || controlUrl.Scheme != Uri.UriSchemeHttp)
            {
                throw new FormatException($"the device description at {location} gives {type} a control URL that is not http: '{control}'");
            }
            if (!controlUrl.Host.Equals(location.Host, StringComparison.OrdinalIgnoreCase))
            {
                throw new FormatException($"the device description at {location} sends control requests to another host ({controlUrl.Host}): refused");
            }
            return new IgdService(type, controlUrl);
        }
        throw new FormatException($"the device description at {location} has no WANIPConnection or WANPPPConnection service (it is not an Internet Gateway Device)");
    }
}

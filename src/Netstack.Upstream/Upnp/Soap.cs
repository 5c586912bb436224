using System.Globalization;
using System.Security;
using System.Text;
using System.Xml;

namespace Netstack.Upstream.Upnp;

/// <summary>A SOAP fault's UPnP error (UPnP Device Architecture section 3.2.2).</summary>
public sealed record UpnpError(int Code, string Description);

/// <summary>
/// SOAP 1.1 envelopes of UPnP control: an action with its in-arguments in order, and the answer's
/// out-arguments or its <c>UPnPError</c> (<c>errorCode</c>, <c>errorDescription</c>). Parsing is
/// bounded like the description's and refuses DTDs.
/// </summary>
public static class Soap
{
    /// <summary>Action answers are a few hundred bytes.</summary>
    public const int MaxBytes = 16 * 1024;

    public static string Envelope(string serviceType, string action, IReadOnlyList<(string Name, string Value)> arguments)
    {
        ArgumentNullException.ThrowIfNull(arguments);
        var body = new StringBuilder();
        body.Append("<?xml version=\"1.0\"?>\r\n")
            .Append("<s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\" s:encodingStyle=\"http://schemas.xmlsoap.org/soap/encoding/\">")
            .Append("<s:Body>")
            .Append("<u:").Append(action).Append(" xmlns:u=\"").Append(serviceType).Append("\">");
        foreach (var (name, value) in arguments)
        {
            body.Append('<').Append(name).Append('>').Append(SecurityElement.Escape(value)).Append("</").Append(name).Append('>');
        }
        body.Append("</u:").Append(action).Append('>')
            .Append("</s:Body></s:Envelope>");
        return body.ToString();
    }

    /// <summary>
    /// The out-arguments of <paramref name="action"/>'s answer (<c>actionResponse</c>'s children),
    /// or the fault. Exactly one of the two is non-null.
    /// </summary>
    /// <exception cref="FormatException">Neither an answer nor a fault.</exception>
    public static (Dictionary<string, string>? Values, UpnpError? Error) ParseResponse(string xml, string action)
    {
        ArgumentNullException.ThrowIfNull(xml);
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersInDocument = MaxBytes,
            IgnoreComments = true,
            IgnoreWhitespace = true,
        };
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var inResponse = false;
        var sawResponse = false;
        int? code = null;
        string? description = null;
        try
        {
            using var reader = XmlReader.Create(new StringReader(xml), settings);
            var responseName = action + "Response";
            reader.Read();
            // ReadElementContentAsString leaves the reader on the next node: only other nodes advance with Read.
            while (!reader.EOF)
            {
                if (reader.NodeType == XmlNodeType.Element)
                {
                    if (reader.LocalName == responseName)
                    {
                        sawResponse = true;
                        inResponse = !reader.IsEmptyElement;
                    }
                    else if (inResponse)
                    {
                        values[reader.LocalName] = reader.ReadElementContentAsString();
                        continue;
                    }
                    else if (reader.LocalName == "errorCode")
                    {
                        var text = reader.ReadElementContentAsString().Trim();
                        code = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var c)
                            ? c
                            : throw new FormatException($"the SOAP fault's errorCode is not a number: '{Truncate(text)}'");
                        continue;
                    }
                    else if (reader.LocalName == "errorDescription")
                    {
                        description = reader.ReadElementContentAsString().Trim();
                        continue;
                    }
                }
                else if (reader.NodeType == XmlNodeType.EndElement && reader.LocalName == responseName)
                {
                    inResponse = false;
                }
                reader.Read();
            }
        }
        catch (XmlException e)
        {
            throw new FormatException($"the answer to {action} is not well-formed XML: {e.Message}", e);
        }
        if (code is { } errorCode)
        {
            return (null, new UpnpError(errorCode, Truncate(description ?? string.Empty)));
        }
        if (sawResponse)
        {
            return (values, null);
        }
        throw new FormatException($"the answer to {action} has neither {action}Response nor a UPnPError");
    }

    private static string Truncate(string text) => text.Length <= 120 ? text : text[..120] + "...";
}

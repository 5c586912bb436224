namespace Netstack.Dns.Wire;

/// <summary>
/// A DNS message (or a name to encode) broke the wire format. <see cref="Error"/> says which rule,
/// <see cref="Offset"/> where in the message (-1 when not in a message).
/// </summary>
public sealed class DnsFormatException : FormatException
{
    public DnsFormatException()
    {
    }

    public DnsFormatException(string message)
        : base(message)
    {
    }

    public DnsFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public DnsFormatException(DnsFormatError error, int offset, string message)
        : base(offset >= 0 ? $"{message} (at byte {offset})" : message)
    {
        Error = error;
        Offset = offset;
    }

    public DnsFormatError Error { get; }

    public int Offset { get; } = -1;
}

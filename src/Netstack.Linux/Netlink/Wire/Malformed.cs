namespace Netstack.Linux.Netlink.Wire;

/// <summary>
/// Checks for decoders of kernel messages: a message shorter than its fixed header, or with
/// values no kernel sends (a prefix longer than the address), is a <see cref="NetlinkException"/>
/// naming what was wrong, never an exception from slicing or a constructor.
/// </summary>
internal static class Malformed
{
    public static void RequireLength(ReadOnlySpan<byte> payload, int length, string what)
    {
        if (payload.Length < length)
        {
            throw new NetlinkException($"netlink: malformed {what} message: {payload.Length} bytes, its header alone is {length}");
        }
    }

    /// <summary>Builds a value from decoded fields; a constructor's refusal becomes a NetlinkException.</summary>
    public static T Build<T>(Func<T> build, string what)
    {
        try
        {
            return build();
        }
        catch (ArgumentException e)
        {
            throw new NetlinkException($"netlink: malformed {what} message: {e.Message}");
        }
    }
}

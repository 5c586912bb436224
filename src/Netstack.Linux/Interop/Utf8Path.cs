using System.Text;

namespace Netstack.Linux;

/// <summary>NUL-terminated UTF-8 copies of strings for the libc calls that take <c>const char*</c>.</summary>
internal static class Utf8Path
{
    internal static byte[] Of(string value)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(value) + 1];
        Encoding.UTF8.GetBytes(value, bytes);
        return bytes;
    }
}

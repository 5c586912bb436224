using System.Runtime.InteropServices;

namespace Netstack.Linux;

internal static class ErrnoText
{
    /// <summary>"File exists (EEXIST)": libc's text and the symbolic name, for error messages.</summary>
    internal static string Describe(Errno errno)
    {
        var text = Marshal.GetPInvokeErrorMessage((int)errno);
        var name = Enum.IsDefined(errno) ? errno.ToString() : "errno " + ((int)errno).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return $"{text} ({name})";
    }

    internal static Errno Last() => (Errno)Marshal.GetLastPInvokeError();
}

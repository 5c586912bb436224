using System.Text;

namespace Netstack.Linux;

/// <summary>
/// The kernel's rules for interface names (net/core/dev.c dev_valid_name), checked before any
/// syscall so a bad name is reported with the field and the value instead of a bare EINVAL.
/// </summary>
public static class InterfaceName
{
    /// <summary>IFNAMSIZ is 16 including the terminating NUL.</summary>
    public const int MaxBytes = 15;

    public static bool IsValid(string? name) => Problem(name) is null;

    /// <summary>Throws <see cref="ArgumentException"/> naming <paramref name="field"/> and the value.</summary>
    public static void Validate(string? name, string field = "name")
    {
        var problem = Problem(name);
        if (problem is not null)
        {
            throw new ArgumentException($"invalid interface {field} \"{name}\": {problem}", field);
        }
    }

    private static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "it is empty";
        }
        var bytes = Encoding.UTF8.GetByteCount(name);
        if (bytes > MaxBytes)
        {
            return $"it is {bytes} bytes long, the kernel allows at most {MaxBytes}";
        }
        if (name is "." or "..")
        {
            return "\".\" and \"..\" are reserved";
        }
        foreach (var c in name)
        {
            if (c == '/')
            {
                return "it contains '/'";
            }
            if (c == ':')
            {
                return "it contains ':' (reserved for address labels)";
            }
            if (char.IsWhiteSpace(c) || c == '\0')
            {
                return "it contains whitespace or NUL";
            }
        }
        return null;
    }
}

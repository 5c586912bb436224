using Xunit;

namespace Netstack.TestKit;

/// <summary>
/// A fact that needs root (it creates network namespaces and kernel objects). When the test run is
/// not root the test is reported as skipped with the reason, never as passed.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PrivilegedFactAttribute : FactAttribute
{
    public PrivilegedFactAttribute()
    {
        if (!Privileges.IsRoot)
        {
            Skip = Privileges.NotRootReason;
        }
    }
}

/// <summary>A theory that needs root; see <see cref="PrivilegedFactAttribute"/>.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PrivilegedTheoryAttribute : TheoryAttribute
{
    public PrivilegedTheoryAttribute()
    {
        if (!Privileges.IsRoot)
        {
            Skip = Privileges.NotRootReason;
        }
    }
}

public static class Privileges
{
    public const string NotRootReason = "needs root: creates network namespaces and kernel objects (CI runs as root)";

    public static bool IsRoot { get; } = Environment.UserName == "root" || GetEuid() == 0;

    private static uint GetEuid()
    {
        // /proc/self/status "Uid:" line: real, effective, saved, fs.
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
            {
                var parts = line.Split('\t', StringSplitOptions.RemoveEmptyEntries);
                return uint.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
            }
        }
        return uint.MaxValue;
    }
}

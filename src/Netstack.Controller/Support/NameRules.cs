using System.Text.RegularExpressions;
using Netstack.Core;

namespace Netstack.Controller;

/// <summary>Names of networks and sandboxes: Docker's container-name rule, <c>[a-zA-Z0-9][a-zA-Z0-9_.-]*</c>.</summary>
internal static partial class NameRules
{
    /// <summary>Longest name accepted; the store key and log lines stay short.</summary>
    public const int MaxLength = 128;

    public static void Validate(string field, string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw new InvalidParameterException(field, name, "a name is required");
        }
        if (name.Length > MaxLength)
        {
            throw new InvalidParameterException(field, name, $"a name has at most {MaxLength} characters");
        }
        if (!NamePattern().IsMatch(name))
        {
            throw new InvalidParameterException(field, name, "only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed");
        }
    }

    [GeneratedRegex("^[a-zA-Z0-9][a-zA-Z0-9_.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NamePattern();
}

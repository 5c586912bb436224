namespace Netstack.Core;

/// <summary>
/// Where a network's data lives and how far it reaches: <c>local</c> (this host, local store) or
/// <c>global</c> (all hosts, global store), as Docker's <c>Scope</c> field.
/// </summary>
public enum NetworkScope
{
    Local,
    Global,
}

public static class NetworkScopeNames
{
    public const string Local = "local";
    public const string Global = "global";

    public static string ToName(this NetworkScope scope) => scope == NetworkScope.Global ? Global : Local;

    public static bool TryParse(string? text, out NetworkScope scope)
    {
        switch (text)
        {
            case Local:
                scope = NetworkScope.Local;
                return true;
            case Global:
            case "swarm":
                scope = NetworkScope.Global;
                return true;
            default:
                scope = NetworkScope.Local;
                return false;
        }
    }
}

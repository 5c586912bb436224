namespace Netstack.Firewall;

/// <summary>iptables refused a change, or the firewall's state stops netstack from making it.</summary>
public sealed class FirewallException : Exception
{
    public FirewallException()
    {
    }

    public FirewallException(string message)
        : base(message)
    {
    }

    public FirewallException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

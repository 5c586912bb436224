namespace Netstack.Core.FailPoints;

/// <summary>The failure an armed fail point in <see cref="FailPointMode.Error"/> mode throws at its step (500 from the API).</summary>
public sealed class FailPointException : NetstackException
{
    public FailPointException(string name)
        : base(ErrorCategory.Internal, $"fail point {name} fired (NETSTACK_FAILPOINT)")
    {
        Name = name;
    }

    /// <summary>The fail point's name, one of <see cref="FailPointNames.All"/>.</summary>
    public string Name { get; }
}

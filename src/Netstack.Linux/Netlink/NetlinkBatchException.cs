namespace Netstack.Linux;

/// <summary>Some requests of a <see cref="NetlinkBatch"/> failed; each failure is listed with its operation.</summary>
public sealed class NetlinkBatchException : NetlinkException
{
    public NetlinkBatchException(IReadOnlyList<NetlinkException> failures)
        : base(Describe(failures))
    {
        Failures = failures;
    }

    public NetlinkBatchException()
        : base("netlink batch failed")
    {
        Failures = [];
    }

    public NetlinkBatchException(string message)
        : base(message)
    {
        Failures = [];
    }

    public NetlinkBatchException(string message, Exception innerException)
        : base(message, innerException)
    {
        Failures = [];
    }

    public IReadOnlyList<NetlinkException> Failures { get; }

    private static string Describe(IReadOnlyList<NetlinkException> failures) =>
        $"{failures.Count} netlink request(s) failed; first: {failures[0].Message}";
}

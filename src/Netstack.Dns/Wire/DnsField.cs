namespace Netstack.Dns.Wire;

/// <summary>
/// Names the part of a message being read ("question 1 of 1", "answer record 3 of 9") for error
/// messages; the text is only built when an error is raised, so parsing does not allocate it.
/// </summary>
internal readonly record struct DnsField(string Kind, int Index = 0, int Count = 0)
{
    public override string ToString() => Count > 0 ? $"{Kind} {Index} of {Count}" : Kind;
}

namespace Netstack.Api.Contracts.Containers;

/// <summary>The engine's <c>WaitExitError</c>: a wait whose headers were sent but which could not see the exit.</summary>
public sealed class ContainerWaitError
{
    public string Message { get; set; } = "";
}

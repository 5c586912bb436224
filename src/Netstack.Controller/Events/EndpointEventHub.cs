using System.Collections.Immutable;
using Microsoft.Extensions.Logging;

namespace Netstack.Controller;

/// <summary>Delivers endpoint events to subscribers, synchronously, isolating their failures.</summary>
internal sealed class EndpointEventHub(ILogger logger)
{
    private ImmutableArray<Action<EndpointEvent>> _handlers = [];

    public IDisposable Subscribe(Action<EndpointEvent> handler)
    {
        ArgumentNullException.ThrowIfNull(handler);
        ImmutableInterlocked.Update(ref _handlers, h => h.Add(handler));
        return new Subscription(this, handler);
    }

    public void Publish(EndpointEvent e)
    {
        foreach (var handler in _handlers)
        {
            try
            {
                handler(e);
            }
#pragma warning disable CA1031 // a subscriber's bug must not fail the connect that raised the event
            catch (Exception ex)
#pragma warning restore CA1031
            {
                ControllerLog.EventHandlerFailed(logger, e.Kind.ToString(), e.Endpoint.Id, ex);
            }
        }
    }

    private sealed class Subscription(EndpointEventHub hub, Action<EndpointEvent> handler) : IDisposable
    {
        public void Dispose() => ImmutableInterlocked.Update(ref hub._handlers, h => h.Remove(handler));
    }
}

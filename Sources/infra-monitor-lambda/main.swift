print("infra-monitor-lambda: not built yet")

release  = "2024.06"
packages = ["curl", "ca-certificates", "tzdata"]

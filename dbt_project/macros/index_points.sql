{#
    Points of one service-index indicator from its ratio and its seed row (documented in
    _macros.yml): the threshold and the direction come from seeds/service_index_points.csv.
#}
{% macro index_points(ratio, max_points, full_points_at, direction) -%}
    case
        when {{ ratio }} is null then null
        when {{ direction }} = 'lower_is_better' then
            case
                when {{ ratio }} <= {{ full_points_at }} then {{ max_points }}
                else {{ max_points }} * {{ full_points_at }} / {{ ratio }}
            end
        when {{ ratio }} >= {{ full_points_at }} then {{ max_points }}
        else {{ max_points }} * {{ ratio }} / {{ full_points_at }}
    end
{%- endmacro %}
